import { mediaKey } from "../media/signing";
import { classify, SNIFF_BYTES } from "../media/sniff";
import type { UploadRecord, UploadStore } from "./uploads";

/**
 * An upload made straight to R2 with an S3 presigned URL never passed through Hearth: its
 * size is checked and its first bytes sniffed before it may be attached (docs/media.md). A
 * file that fails is deleted; one that passes is marked stored with the sniffed type.
 */
export async function checkDirectUpload(media: R2Bucket, uploads: UploadStore, roomId: string, upload: UploadRecord): Promise<UploadRecord> {
  const key = mediaKey(roomId, upload.id);
  const object = await media.get(key, { range: { offset: 0, length: SNIFF_BYTES } });
  if (!object) return upload;
  const head = new Uint8Array(await object.arrayBuffer());
  const kind = object.size === upload.size ? classify(upload.declaredType, head) : null;
  if (!kind) {
    await media.delete(key);
    return upload;
  }
  uploads.markStored(upload.id, kind.family, kind.type, object.etag);
  return uploads.get(upload.id) ?? upload;
}
