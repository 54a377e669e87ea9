/**
 * A picked picture made into an avatar in the browser: the middle square, drawn at 256 × 256 on
 * a canvas, as WebP (PNG where the browser cannot write WebP). The server never scales images.
 */

export const AVATAR_PX = 256;
const QUALITY = 0.9;

/** Thrown for a file the browser cannot read as a picture (HEIC on most browsers, a PDF…). */
export class NotAPicture extends Error {
  constructor() {
    super("This file is not a picture this browser can open. Try a PNG, JPEG or WebP.");
    this.name = "NotAPicture";
  }
}

/** The 256 px avatar of `file`: its middle square, scaled (up or down) to fill it. */
export async function resizeToAvatar(file: Blob): Promise<Blob> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new NotAPicture();
  }
  try {
    const side = Math.min(bitmap.width, bitmap.height);
    const canvas = document.createElement("canvas");
    canvas.width = AVATAR_PX;
    canvas.height = AVATAR_PX;
    const context = canvas.getContext("2d");
    if (!context || side === 0) throw new NotAPicture();
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, AVATAR_PX, AVATAR_PX);
    // A browser that cannot write WebP writes PNG instead (toBlob's rule), which the server takes too.
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/webp", QUALITY));
    if (!blob) throw new NotAPicture();
    return blob;
  } finally {
    bitmap.close();
  }
}
