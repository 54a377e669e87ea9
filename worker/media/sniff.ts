/**
 * Tells a file's type from its first bytes. Only types Hearth may show inline are
 * recognised as such; everything else is a plain file, always downloaded as an attachment.
 */

export const SNIFF_BYTES = 64;

export const INLINE_IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
export const INLINE_AUDIO_TYPES = new Set(["audio/webm", "audio/ogg", "audio/mpeg", "audio/wav", "audio/mp4"]);
export const INLINE_VIDEO_TYPES = new Set(["video/webm", "video/mp4"]);

const ascii = (b: Uint8Array, at: number, text: string) => {
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
};

/** The type the bytes say, or null when they match nothing known. WebM and MP4 answer their video type. */
export function sniff(b: Uint8Array): string | null {
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, "PNG\r\n\x1a\n")) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return "image/gif";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) return "image/webp";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) return "audio/wav";
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "video/webm";
  if (ascii(b, 0, "OggS")) return "audio/ogg";
  if (ascii(b, 0, "ID3") || (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0 && (b[1]! & 0x06) !== 0)) return "audio/mpeg";
  if (ascii(b, 4, "ftyp")) return ascii(b, 8, "M4A ") ? "audio/mp4" : "video/mp4";
  if (ascii(b, 0, "%PDF-")) return "application/pdf";
  if (b.length >= 4 && ascii(b, 0, "PK\x03\x04")) return "application/zip";
  return null;
}

export type Family = "image" | "audio" | "file";

/**
 * Decides what an upload is, from what the client declared and what the bytes say.
 * A declared image must sniff as an image and declared audio as audio (a WebM, Ogg or MP4
 * container counts); anything else is a file, typed by its bytes. Returns null when the
 * bytes contradict the declaration.
 */
export function classify(declared: string, bytes: Uint8Array): { family: Family; type: string } | null {
  const seen = sniff(bytes);
  const major = declared.split("/")[0];
  if (major === "image") {
    return seen && INLINE_IMAGE_TYPES.has(seen) ? { family: "image", type: seen } : null;
  }
  if (major === "audio") {
    if (seen === "video/webm" || seen === "video/mp4") return { family: "audio", type: seen.replace("video/", "audio/") };
    return seen && INLINE_AUDIO_TYPES.has(seen) ? { family: "audio", type: seen } : null;
  }
  return { family: "file", type: seen ?? "application/octet-stream" };
}

/** Whether Hearth serves this (sniffed) type inline from its origin. Never HTML, SVG or scripts. */
export function servedInline(type: string): boolean {
  return INLINE_IMAGE_TYPES.has(type) || INLINE_AUDIO_TYPES.has(type) || INLINE_VIDEO_TYPES.has(type);
}
