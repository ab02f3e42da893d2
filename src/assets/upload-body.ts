/** The request body is larger than allowed; nothing past the limit was read. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** The body is not what the upload needs (multipart without a `file`, an unreadable form). */
export class BadUploadError extends Error {
  override name = 'BadUploadError';
}

// Room for a multipart body's boundaries, part headers and other fields around the file.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * The uploaded file's bytes: the raw body, or the `file` field of a
 * `multipart/form-data` body. A declared `Content-Length` over the limit is refused
 * before reading anything, and the body is counted while it streams, so an upload
 * without a length (chunked) is cut off as soon as it passes the limit.
 *
 * @throws BodyTooLargeError past `maxBytes` (the file) or the multipart allowance.
 * @throws BadUploadError for an empty body, or a form without a `file` field.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<Uint8Array> {
  const contentType = request.headers.get('content-type') ?? '';
  const multipart = /^multipart\/form-data\s*;/i.test(contentType);
  const bodyLimit = multipart ? maxBytes + MULTIPART_OVERHEAD_BYTES : maxBytes;
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > bodyLimit) throw new BodyTooLargeError(`The file is larger than ${maxBytes} bytes`);

  const body = await readLimited(request.body, bodyLimit, maxBytes);
  if (!multipart) {
    if (body.byteLength === 0) throw new BadUploadError('The body is empty: send the file as the body, or as the "file" field of a form');
    return body;
  }
  let form: FormData;
  try {
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new BadUploadError('The multipart/form-data body cannot be read');
  }
  const file = form.get('file');
  if (!file || typeof file === 'string') throw new BadUploadError('The form has no "file" field holding a file');
  if (file.size > maxBytes) throw new BodyTooLargeError(`The file is larger than ${maxBytes} bytes`);
  if (file.size === 0) throw new BadUploadError('The file is empty');
  return new Uint8Array(await file.arrayBuffer());
}

/** Reads a stream into one buffer, giving up (and cancelling it) past `limit` bytes. */
async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number, maxFileBytes: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(`The file is larger than ${maxFileBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
