/**
 * The emoji picker, loaded on demand (it is not part of the initial bundle). Its data file
 * is served by Hearth itself: no third-party CDN is contacted.
 */
import Picker from "emoji-picker-element/picker.js";
import dataSource from "emoji-picker-element-data/en/emojibase/data.json?url";

export function createPicker(onPick: (emoji: string) => void): HTMLElement {
  const picker = new Picker({ dataSource, locale: "en" });
  picker.addEventListener("emoji-click", (event) => {
    const { unicode } = event.detail;
    if (unicode) onPick(unicode);
  });
  return picker;
}
