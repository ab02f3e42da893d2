import type { SerializedSchema } from 'tldraw';

/**
 * True when `theirs` has a migration sequence at a higher version than `ours`: the board was
 * written by a newer client, whose records this client cannot migrate down or validate.
 * Sequences only one side knows are ignored (custom shapes of another app, retired types).
 */
export function isSchemaNewer(theirs: SerializedSchema, ours: SerializedSchema): boolean {
  const theirVersions = sequenceVersions(theirs);
  const ourVersions = sequenceVersions(ours);
  for (const [sequenceId, version] of theirVersions) {
    const ourVersion = ourVersions.get(sequenceId);
    if (ourVersion !== undefined && version > ourVersion) return true;
  }
  return false;
}

/** True when both schemas carry the same version for every sequence. */
export function isSameSchema(a: SerializedSchema, b: SerializedSchema): boolean {
  const left = sequenceVersions(a);
  const right = sequenceVersions(b);
  if (left.size !== right.size) return false;
  for (const [sequenceId, version] of left) {
    if (right.get(sequenceId) !== version) return false;
  }
  return true;
}

/**
 * Flattens either schema form into sequence id → version. The v1 form (before tldraw 2.0's
 * migration rework) only comes from very old clients, so it counts as version 0 everywhere,
 * which is never newer.
 */
function sequenceVersions(schema: SerializedSchema): Map<string, number> {
  if (schema.schemaVersion === 2) {
    return new Map(Object.entries(schema.sequences));
  }
  return new Map();
}
