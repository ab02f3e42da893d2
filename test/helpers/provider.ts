import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { onTestFinished, vi } from 'vitest';
import * as Y from 'yjs';

export interface TestProvider {
  provider: HocuspocusProvider;
  doc: Y.Doc;
  /** Reasons from `authenticationFailed`, in order. */
  failures: string[];
  destroy(): void;
}

/**
 * A real HocuspocusProvider on its own socket (as a browser tab has), destroyed
 * when the test ends.
 */
export function openProvider(
  wsUrl: string,
  roomId: string,
  token: string | (() => Promise<string>),
  path = '',
  /** The provider's document: a fresh one, or one that already holds some state (a returning tab). */
  doc = new Y.Doc(),
): TestProvider {
  const failures: string[] = [];
  const websocketProvider = new HocuspocusProviderWebsocket({
    url: `${wsUrl}${path}`,
    maxAttempts: 0,
    delay: 50,
    minDelay: 50,
    maxDelay: 500,
  });
  const provider = new HocuspocusProvider({
    websocketProvider,
    name: roomId,
    document: doc,
    token,
    onAuthenticationFailed: ({ reason }) => failures.push(reason),
  });
  provider.attach();
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    provider.destroy();
    websocketProvider.destroy();
  };
  try {
    onTestFinished(destroy);
  } catch {
    // Opened in a beforeAll hook: the caller destroys it.
  }
  return { provider, doc, failures, destroy };
}

/** Opens a provider and waits until its first sync with the server finished. */
export async function syncedProvider(wsUrl: string, roomId: string, token: string, path = '', doc?: Y.Doc): Promise<TestProvider> {
  const opened = openProvider(wsUrl, roomId, token, path, doc);
  await vi.waitFor(
    () => {
      if (opened.failures.length) throw new Error(`authentication failed: ${opened.failures.join(', ')}`);
      if (!opened.provider.isSynced) throw new Error('not synced yet');
    },
    { timeout: 10_000, interval: 10 },
  );
  return opened;
}

/** Waits until the server acknowledged every local change of the provider. */
export async function acknowledged(opened: TestProvider): Promise<void> {
  await vi.waitFor(
    () => {
      if (opened.provider.hasUnsyncedChanges) throw new Error(`unsynced changes: ${opened.provider.unsyncedChanges}`);
    },
    { timeout: 10_000, interval: 5 },
  );
}

/** The tldraw layout: records in `tl_<roomId>` as `{ key, val }` entries. */
export function putRecord(doc: Y.Doc, roomId: string, id: string, value: Record<string, unknown>): void {
  doc.getArray(`tl_${roomId}`).push([{ key: id, val: { id, ...value } }]);
}

export function recordIds(doc: Y.Doc, roomId: string): string[] {
  return (doc.getArray(`tl_${roomId}`).toJSON() as Array<{ key: string }>).map((entry) => entry.key).sort();
}
