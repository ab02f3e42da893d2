import * as Y from 'yjs';

/** Why an update was refused; `undefined` from {@link checkBoardUpdate} means it is fine. */
export interface UpdateProblem {
  kind: 'malformed' | 'structure';
  detail: string;
}

/** The root types a tldraw board uses (API.md, "Connect a tldraw client"). */
export function boardRootNames(roomId: string): ReadonlySet<string> {
  return new Set([`tl_${roomId}`, 'meta']);
}

/**
 * Checks a Yjs update (v1) from a client before anything applies it. A board is
 * `tl_<roomId>` (a Y.Array of plain JSON `{ key, val }` entries, y-utility's YKeyValue)
 * and `meta` (a Y.Map of JSON): every new item must hold plain JSON (or a deleted
 * placeholder) directly in one of those two roots. Anything else is refused:
 * nested shared types (a chain of a few thousand nested Y.Maps costs quadratic work to
 * apply: 0.7 s of stalled event loop at 4,000 levels), text, XML, binary, embedded
 * documents, and other root names. An update Yjs cannot decode is refused too, so
 * it never reaches the parser that would print a stack trace per frame.
 *
 * Decoding is linear in the update's size and allocates its structs once; it runs on
 * document updates only (not on cursors), which are few and small for a whiteboard.
 *
 * @param update - the payload of a SyncStep2 or Update message
 * @param roots - from {@link boardRootNames}
 * @returns undefined when the update may be applied
 */
export function checkBoardUpdate(update: Uint8Array, roots: ReadonlySet<string>): UpdateProblem | undefined {
  let structs: Array<Y.Item | Y.GC | Y.Skip>;
  try {
    structs = Y.decodeUpdate(update).structs;
  } catch (error) {
    return { kind: 'malformed', detail: error instanceof Error ? error.message.slice(0, 200) : 'undecodable update' };
  }
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue; // GC and Skip carry no content
    const content = struct.content;
    if (!(content instanceof Y.ContentAny || content instanceof Y.ContentDeleted || content instanceof Y.ContentJSON)) {
      return { kind: 'structure', detail: `content ${content.constructor.name}` };
    }
    // `parent` is set only when the item has no left/right neighbour to inherit it
    // from: then it is a root name, or the id of a nested type (which boards have none of).
    const parent: unknown = struct.parent;
    if (parent === null) continue;
    if (typeof parent !== 'string') return { kind: 'structure', detail: 'item inside a nested type' };
    if (!roots.has(parent)) return { kind: 'structure', detail: `root ${JSON.stringify(parent.slice(0, 64))}` };
  }
  return undefined;
}

/** @returns whether a SyncStep1 payload is a state vector Yjs can read. */
export function isStateVector(payload: Uint8Array): boolean {
  try {
    Y.decodeStateVector(payload);
    return true;
  } catch {
    return false;
  }
}
