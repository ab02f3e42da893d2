import {
  InstancePresenceRecordType,
  createPresenceStateDerivation,
  react,
  type Signal,
  type TLInstancePresence,
  type TLStore,
  type TLUser,
} from 'tldraw';
import type { Awareness } from 'y-protocols/awareness';

/** Who this client is, as other clients and the server see it in awareness (API.md). */
export interface PresenceUser {
  id: string;
  name: string;
  color: string;
}

/** One client's awareness state: `{ user, presence }` (API.md, WebSocket). */
export interface AwarenessState {
  user?: PresenceUser;
  presence?: TLInstancePresence | null;
}

/** Options for {@link bindAwarenessPresence}. */
export interface AwarenessPresenceOptions {
  store: TLStore;
  awareness: Awareness;
  /** The tldraw user record of this client, which the presence derivation reads. */
  $user: Signal<TLUser | null>;
  user: PresenceUser;
}

/**
 * Publishes this client's tldraw presence (cursor, selection, camera, name, colour) into
 * awareness and mirrors every other client's presence into the store as
 * `instance_presence:<awareness clientID>` records, which tldraw draws as collaborators.
 * Presence never touches the Y.Doc, so it is neither persisted nor counted as an edit.
 * @returns a function that stops both directions and removes the mirrored records
 */
export function bindAwarenessPresence(options: AwarenessPresenceOptions): () => void {
  const { store, awareness, $user, user } = options;
  const ownId = InstancePresenceRecordType.createId(String(awareness.clientID));
  const $presence = createPresenceStateDerivation($user, { instanceId: ownId })(store);

  // Pointer moves change presence every frame; publishing once per animation frame keeps
  // awareness traffic (and the server's message-rate limit) in check without visible lag.
  let frame: number | null = null;
  const publish = () => {
    frame = null;
    awareness.setLocalState({ user, presence: $presence.get() } satisfies AwarenessState);
  };
  publish();
  const stopReacting = react('publish presence to awareness', () => {
    $presence.get();
    frame ??= requestAnimationFrame(publish);
  });

  const mirrored = new Set<TLInstancePresence['id']>();
  const onChange = ({ added, updated, removed }: AwarenessChanges) => {
    const states = awareness.getStates() as Map<number, AwarenessState>;
    const toPut: TLInstancePresence[] = [];
    const toRemove: TLInstancePresence['id'][] = [];
    for (const clientId of [...added, ...updated]) {
      if (clientId === awareness.clientID) continue;
      const id = InstancePresenceRecordType.createId(String(clientId));
      const record = toPresenceRecord(store, id, states.get(clientId));
      if (record) toPut.push(record);
      else if (mirrored.has(id)) toRemove.push(id);
    }
    for (const clientId of removed) {
      const id = InstancePresenceRecordType.createId(String(clientId));
      if (mirrored.has(id)) toRemove.push(id);
    }
    if (toPut.length === 0 && toRemove.length === 0) return;
    for (const id of toRemove) mirrored.delete(id);
    for (const record of toPut) mirrored.add(record.id);
    store.mergeRemoteChanges(() => {
      if (toRemove.length > 0) store.remove(toRemove);
      if (toPut.length > 0) store.put(toPut);
    });
  };
  awareness.on('change', onChange);
  // States that arrived before the binding existed (the provider connects first).
  onChange({ added: [...awareness.getStates().keys()], updated: [], removed: [] });

  return () => {
    awareness.off('change', onChange);
    stopReacting();
    if (frame !== null) cancelAnimationFrame(frame);
    const ids = [...mirrored];
    mirrored.clear();
    if (ids.length > 0) store.mergeRemoteChanges(() => store.remove(ids));
  };
}

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

/**
 * Turns a peer's awareness state into a presence record under the id derived from its
 * awareness client id (so removal matches), or null if it is missing or does not validate
 * in this client's schema (for example a peer on another tldraw version).
 */
function toPresenceRecord(_store: TLStore, id: TLInstancePresence['id'], state: AwarenessState | undefined): TLInstancePresence | null {
  const presence = state?.presence;
  if (presence?.typeName !== 'instance_presence') return null;
  try {
    return InstancePresenceRecordType.validate({ ...presence, id });
  } catch {
    return null;
  }
}
