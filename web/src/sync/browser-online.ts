import type { HocuspocusProvider } from '@hocuspocus/provider';

/**
 * Follows the browser's own idea of being online. When it says offline, the socket is
 * closed at once instead of lingering until a timeout notices (until then the badge would
 * say "Synced" for changes that go nowhere); changes go on into the doc and the local copy.
 * When it says online again, the provider reconnects right away rather than at its next
 * back-off attempt, and the sync handshake sends what was kept.
 * @returns a function that stops following
 */
export function followBrowserOnline(provider: HocuspocusProvider): () => void {
  const onOffline = () => provider.disconnect();
  const onOnline = () => void provider.connect();
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);
  return () => {
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('online', onOnline);
  };
}
