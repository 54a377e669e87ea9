/** What only the browser can tell about a file before it is sent: an image's size, a sound's length. */

const MAX_SIDE = 20_000; // the server's bound for width and height
const MAX_SECONDS = 86_400; // and for duration

/** Width and height as the image will be shown (EXIF orientation applied), or null. */
export async function imageSize(file: Blob): Promise<{ width: number; height: number } | null> {
  let size: { width: number; height: number } | null = null;
  try {
    if (typeof createImageBitmap === "function") {
      const bitmap = await createImageBitmap(file);
      size = { width: bitmap.width, height: bitmap.height };
      bitmap.close();
    } else {
      size = await viaElement(file);
    }
  } catch {
    size = null; // Not decodable here: the server still decides whether it is an image.
  }
  if (!size || !inRange(size.width) || !inRange(size.height)) return null;
  return size;
}

const inRange = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_SIDE;

async function viaElement(file: Blob): Promise<{ width: number; height: number }> {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return { width: img.naturalWidth, height: img.naturalHeight };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A picked sound's length in seconds, or undefined when the browser cannot tell (quickly). */
export function audioDuration(file: Blob, timeoutMs = 3000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const audio = new Audio();
    const finish = (value: number | undefined) => {
      clearTimeout(timer);
      audio.removeAttribute("src");
      audio.load();
      URL.revokeObjectURL(url);
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    audio.preload = "metadata";
    audio.onloadedmetadata = () => {
      const d = audio.duration;
      finish(Number.isFinite(d) && d >= 0 && d <= MAX_SECONDS ? roundSeconds(d) : undefined);
    };
    audio.onerror = () => finish(undefined);
    audio.src = url;
  });
}

/** Seconds to the millisecond, as the server stores them. */
export const roundSeconds = (s: number) => Math.round(s * 1000) / 1000;
