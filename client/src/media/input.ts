/** Ways a file gets into the composer: drop, paste, and the file picker. */
import { useEffect, useState } from "preact/hooks";

const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes("Files") ?? false;

/**
 * Files dropped anywhere on the chat (`area`, e.g. the message list and the composer) are
 * attached; while a drag is over it, `dragging` is true. Dropping elsewhere on the page does
 * nothing (instead of the browser opening the file in place of Hearth).
 */
export function useFileDrop(
  area: () => HTMLElement | null,
  onFiles: (files: File[]) => void,
  enabled: boolean,
): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    const el = area();
    if (!el || !enabled) return;
    const over = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
      setDragging(true);
    };
    const leave = (event: DragEvent) => {
      const to = event.relatedTarget as Node | null;
      if (!to || !el.contains(to)) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      setDragging(false);
      if (!hasFiles(event)) return;
      event.preventDefault();
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length) onFiles(files);
    };
    const elsewhere = (event: DragEvent) => {
      if (hasFiles(event) && !el.contains(event.target as Node)) event.preventDefault();
    };
    el.addEventListener("dragenter", over);
    el.addEventListener("dragover", over);
    el.addEventListener("dragleave", leave);
    el.addEventListener("drop", drop);
    document.addEventListener("dragover", elsewhere);
    document.addEventListener("drop", elsewhere);
    return () => {
      el.removeEventListener("dragenter", over);
      el.removeEventListener("dragover", over);
      el.removeEventListener("dragleave", leave);
      el.removeEventListener("drop", drop);
      document.removeEventListener("dragover", elsewhere);
      document.removeEventListener("drop", elsewhere);
      setDragging(false);
    };
  }, [area, onFiles, enabled]);
  return dragging;
}

/**
 * Files pasted (an image copied to the clipboard, a screenshot) are attached, when pasted into
 * `textbox` or anywhere that is not another text field. Text on the clipboard wins: some apps
 * put a picture of copied text next to the text itself.
 */
export function usePasteFiles(
  textbox: () => HTMLElement | null,
  onFiles: (files: File[]) => void,
  enabled: boolean,
): void {
  useEffect(() => {
    if (!enabled) return;
    const paste = (event: ClipboardEvent) => {
      const data = event.clipboardData;
      if (!data || data.files.length === 0) return;
      const target = event.composedPath()[0];
      if (target instanceof HTMLElement && target !== textbox() && isTextField(target)) return;
      if (data.types.includes("text/plain") && data.getData("text/plain").trim()) return;
      event.preventDefault();
      onFiles([...data.files]);
    };
    document.addEventListener("paste", paste);
    return () => document.removeEventListener("paste", paste);
  }, [textbox, onFiles, enabled]);
}

const isTextField = (el: HTMLElement) =>
  el.isContentEditable || el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement;
