import * as Y from 'yjs';

type Json = unknown;

/**
 * Makes the live document's content equal to a snapshot's, as ordinary changes in one
 * transaction, so every connected client receives the old board as a new version.
 * Yjs has no "revert", so this diffs the top-level types: keyed arrays (tldraw's
 * YKeyValue of `{ key, val }` entries) entry by entry, maps key by key, and other
 * arrays wholesale.
 */
export function restoreInto(live: Y.Doc, snapshot: Uint8Array, origin?: unknown): void {
  const target = new Y.Doc();
  Y.applyUpdate(target, snapshot);
  const names = new Set([...target.share.keys(), ...live.share.keys()]);
  live.transact(() => {
    for (const name of names) {
      const source = target.share.get(name);
      const kind = typeKind(source) ?? typeKind(live.share.get(name));
      if (kind === 'array') restoreArray(live.getArray<Json>(name), source ? target.getArray<Json>(name).toJSON() : []);
      else if (kind === 'map') restoreMap(live.getMap<Json>(name), source ? target.getMap<Json>(name).toJSON() : {});
    }
  }, origin);
  target.destroy();
}

// biome-ignore lint/suspicious/noExplicitAny: Y.AbstractType's event type parameter is irrelevant here
function typeKind(type: Y.AbstractType<any> | undefined): 'array' | 'map' | undefined {
  if (!type) return undefined;
  if (type instanceof Y.Array) return 'array';
  if (type instanceof Y.Map) return 'map';
  // Types decoded from an update are untyped until first accessed.
  if (type._start !== null) return 'array';
  if (type._map.size > 0) return 'map';
  return undefined;
}

function isKeyedEntry(value: Json): value is { key: string; val: Json } {
  return typeof value === 'object' && value !== null && typeof (value as { key?: unknown }).key === 'string' && 'val' in value;
}

function restoreArray(array: Y.Array<Json>, wanted: Json[]): void {
  const current = array.toJSON() as Json[];
  if (!wanted.every(isKeyedEntry) || !current.every(isKeyedEntry)) {
    array.delete(0, array.length);
    array.push(wanted);
    return;
  }
  const wantedByKey = new Map(wanted.map((entry) => [entry.key, JSON.stringify(entry.val)]));
  const kept = new Set<string>();
  // Back to front so deleting does not shift the indexes still to visit.
  for (let i = current.length - 1; i >= 0; i--) {
    const entry = current[i] as { key: string; val: Json };
    if (!kept.has(entry.key) && wantedByKey.get(entry.key) === JSON.stringify(entry.val)) kept.add(entry.key);
    else array.delete(i, 1);
  }
  array.push(wanted.filter((entry) => !kept.has(entry.key)));
}

function restoreMap(map: Y.Map<Json>, wanted: Record<string, Json>): void {
  for (const key of [...map.keys()]) if (!(key in wanted)) map.delete(key);
  for (const [key, value] of Object.entries(wanted)) {
    const existing = map.get(key);
    const existingJson = existing instanceof Y.AbstractType ? existing.toJSON() : existing;
    if (JSON.stringify(existingJson) !== JSON.stringify(value)) map.set(key, value);
  }
}
