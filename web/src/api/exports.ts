import { apiFetch, apiRequest } from './http.ts';

/** Formats the export API renders; `json` is a tldraw `.tldr` file. */
export type ExportFormat = 'png' | 'svg' | 'pdf' | 'json';

/** An export job as the API reports it. */
export interface ExportJob {
  id: string;
  roomId: string;
  format: ExportFormat;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  fileUrl: string | null;
  error: string | null;
  createdAt: string;
  completedAt: string | null;
}

/** File name extension per format, so a `json` export is saved as a `.tldr` file. */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  png: 'png',
  svg: 'svg',
  pdf: 'pdf',
  json: 'tldr',
};

/** How often and how long to poll a job; exports of big boards take a few seconds. */
const POLL_INTERVAL_MS = 500;
const POLL_TIMEOUT_MS = 60_000;

/**
 * Asks the server to render the room, waits for the job to complete and returns the file.
 * @throws Error when the job fails or does not finish within a minute
 */
export async function exportRoom(token: string, roomId: string, format: ExportFormat, signal?: AbortSignal): Promise<Blob> {
  let job = await apiRequest<ExportJob>(`/api/exports/${encodeURIComponent(roomId)}`, {
    body: { format },
    token,
    signal,
  });
  const deadline = Date.now() + POLL_TIMEOUT_MS;
  while (job.status === 'pending' || job.status === 'processing') {
    if (Date.now() > deadline) throw new Error('The export took too long');
    await delay(POLL_INTERVAL_MS, signal);
    job = await apiRequest<ExportJob>(`/api/exports/${encodeURIComponent(job.id)}`, {
      token,
      signal,
    });
  }
  if (job.status === 'failed') throw new Error(job.error ?? 'The export failed');
  // The file needs the bearer token, so it is fetched here rather than linked to.
  const response = await apiFetch(`/api/exports/${encodeURIComponent(job.id)}/file`, {
    token,
    signal,
  });
  return await response.blob();
}

/** Hands a blob to the browser as a download with the given file name. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}
