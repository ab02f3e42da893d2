import { useEffect, useState } from 'react';
import { apiRequest } from './http.ts';

/** What `GET /api/limits` answers: the sizes the server refuses past. */
export interface ServerLimits {
  maxDocumentBytes: number;
  maxMessageBytes: number;
  maxAssetBytes: number;
  maxRoomAssetBytes: number;
}

/** The server's defaults, used until it has answered (or when it cannot be asked). */
export const DEFAULT_LIMITS: ServerLimits = {
  maxDocumentBytes: 32 * 1024 * 1024,
  maxMessageBytes: 2 * 1024 * 1024,
  maxAssetBytes: 25 * 1024 * 1024,
  maxRoomAssetBytes: 1024 * 1024 * 1024,
};

/** The server's limits as configured; the defaults until they arrive. */
export function useServerLimits(): ServerLimits {
  const [limits, setLimits] = useState(DEFAULT_LIMITS);
  useEffect(() => {
    const controller = new AbortController();
    apiRequest<ServerLimits>('/api/limits', { signal: controller.signal })
      .then(setLimits)
      // The defaults stand in: a warning at the wrong size beats none.
      .catch((error: unknown) => {
        if (!controller.signal.aborted) console.warn('Cannot read the server limits', error);
      });
    return () => controller.abort();
  }, []);
  return limits;
}
