/**
 * Close codes we send; all 4xxx as API.md requires, named after HTTP where one fits.
 * They are part of the external contract and shared by the socket layer, the
 * Hocuspocus extensions and the REST routes that disconnect clients, so they live in
 * this neutral module rather than in any one of them.
 */
export const CloseCodes = {
  tokenExpired: { code: 4401, reason: 'token-expired' },
  // The reasons API.md gives for access taken away from a live connection.
  roomDeleted: { code: 4404, reason: 'room-not-found' },
  permissionDenied: { code: 4403, reason: 'permission-denied' },
  messageTooLarge: { code: 4009, reason: 'message-too-large' },
  documentTooLarge: { code: 4413, reason: 'document-too-large' },
  rateLimited: { code: 4429, reason: 'rate-limited' },
  badFrame: { code: 4400, reason: 'bad-frame' },
  badUpdate: { code: 4400, reason: 'bad-update' },
  structureRefused: { code: 4400, reason: 'structure-refused' },
  awarenessRefused: { code: 4400, reason: 'awareness-refused' },
  authTimeout: { code: 4408, reason: 'auth-timeout' },
  preAuthLimit: { code: 4429, reason: 'preauth-limit' },
  storageUnavailable: { code: 4503, reason: 'storage-unavailable' },
  /** The append queue is full: the update is refused unapplied; the client resends it. */
  storageBusy: { code: 4503, reason: 'storage-busy' },
  /** The client does not read what it is sent (WS_MAX_BUFFERED_BYTES queued for it). */
  slowReader: { code: 4504, reason: 'slow-reader' },
} as const;

export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];
