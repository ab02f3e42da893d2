import { ApiError } from './http.ts';

/** What `POST /api/rooms/:roomId/assets` answers. */
export interface UploadedAsset {
  id: string;
  url: string;
  mimeType: string;
  size: number;
  width?: number;
  height?: number;
  sha256: string;
}

/**
 * Uploads a file to the room's asset store (owner or editor token) as the raw body; the
 * server types it by its bytes and answers the URL to keep in the asset record.
 * @throws ApiError with the API's code (`payload-too-large`, `unsupported-media-type`, …)
 */
export async function uploadAsset(token: string, roomId: string, file: Blob, signal?: AbortSignal): Promise<UploadedAsset> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/assets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': file.type || 'application/octet-stream' },
    body: file,
    signal,
  });
  const body = (await response.json().catch(() => null)) as (UploadedAsset & { error?: { code?: string; message?: string } }) | null;
  if (!response.ok || !body) {
    throw new ApiError(response.status, body?.error?.code ?? `http-${response.status}`, body?.error?.message ?? 'Upload failed');
  }
  return body;
}
