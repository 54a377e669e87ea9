import { describe, expect, it } from "vitest";
import { cleanName, hasUnsafeNameChars, isWellFormed } from "../../worker/lib/text";

describe("the one rule for text", () => {
  it("finds lone surrogates anywhere, and accepts paired ones", () => {
    expect(isWellFormed("plain")).toBe(true);
    expect(isWellFormed("emoji 😀 and 👩‍👩‍👧")).toBe(true);
    expect(isWellFormed("")).toBe(true);
    for (const bad of ["x\ud800y", "\ud800", "x\udc00", "\udc00\ud800", "ok😀\ud83d", "\ude00end"]) {
      expect(isWellFormed(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it("strips control characters and bidi overrides and isolates from names", () => {
    expect(cleanName("evil\u202Egnp.png")).toBe("evilgnp.png");
    expect(cleanName("a\u0000b\u001Fc\u007Fd\u0085e\u009Ff")).toBe("abcdef");
    expect(cleanName("\u2066x\u2067y\u2068z\u2069\u202A\u202B\u202C\u202D")).toBe("xyz");
    expect(cleanName("line\nbreak\ttab")).toBe("linebreaktab");
    // Letters of right-to-left scripts and the implicit marks (LRM/RLM) are text, not controls.
    expect(cleanName("שלום \u200F عربي")).toBe("שלום \u200F عربي");
    expect(hasUnsafeNameChars("fine name")).toBe(false);
    expect(hasUnsafeNameChars("x\u202Ey")).toBe(true);
    expect(hasUnsafeNameChars("x\u0007")).toBe(true);
  });
});
