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
  const onOffline = () => {
    const socket = provider.configuration.websocketProvider;
    provider.disconnect();
    // Without a network the closing handshake cannot finish: Chromium reports the socket
    // closed only after its timeout, tens of seconds later. Take it as closed now (the
    // provider's own way for sockets that never report closing); its late close event
    // finds no listener.
    if (socket.status !== 'disconnected') {
      socket.onClose({ event: new CloseEvent('close', { code: 1000, reason: 'browser offline' }) });
    }
  };
  const onOnline = () => void provider.connect();
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);
  return () => {
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('online', onOnline);
  };
}
