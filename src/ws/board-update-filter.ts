import * as decoding from 'lib0/decoding';
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
 * The walk is linear in the update's size and stops at the first refused struct; it
 * runs on document updates only (not on cursors).
 *
 * @param update - the payload of a SyncStep2 or Update message
 * @param roots - from {@link boardRootNames}
 * @returns undefined when the update may be applied
 */
export function checkBoardUpdate(update: Uint8Array, roots: ReadonlySet<string>): UpdateProblem | undefined {
  try {
    return walkUpdate(decoding.createDecoder(update), roots);
  } catch (error) {
    return { kind: 'malformed', detail: error instanceof Error ? error.message.slice(0, 200) : 'undecodable update' };
  }
}

/**
 * Reads a v1 update struct by struct (the layout of Yjs' UpdateDecoderV1 and
 * readItemContent) and stops at the first thing a board cannot hold, so a refused
 * update costs only the bytes up to its first offending struct.
 */
function walkUpdate(decoder: decoding.Decoder, roots: ReadonlySet<string>): UpdateProblem | undefined {
  const clients = decoding.readVarUint(decoder);
  for (let c = 0; c < clients; c++) {
    const structs = decoding.readVarUint(decoder);
    decoding.readVarUint(decoder); // client
    decoding.readVarUint(decoder); // first clock
    for (let s = 0; s < structs; s++) {
      const info = decoding.readUint8(decoder);
      const ref = info & 0b11111;
      if (ref === STRUCT_GC || ref === STRUCT_SKIP) {
        decoding.readVarUint(decoder); // length
        continue;
      }
      if (info & HAS_ORIGIN) skipId(decoder);
      if (info & HAS_RIGHT_ORIGIN) skipId(decoder);
      if ((info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN)) === 0) {
        // No neighbour to inherit the parent from: the parent is named here.
        if (decoding.readVarUint(decoder) === 1) {
          const root = decoding.readVarString(decoder);
          if (!roots.has(root)) return { kind: 'structure', detail: `root ${JSON.stringify(root.slice(0, 64))}` };
        } else {
          return { kind: 'structure', detail: 'item inside a nested type' };
        }
        if (info & HAS_PARENT_SUB) decoding.readVarString(decoder);
      }
      switch (ref) {
        case CONTENT_DELETED:
          decoding.readVarUint(decoder);
          break;
        case CONTENT_JSON: {
          const length = decoding.readVarUint(decoder);
          for (let i = 0; i < length; i++) decoding.readVarString(decoder);
          break;
        }
        case CONTENT_ANY: {
          const length = decoding.readVarUint(decoder);
          for (let i = 0; i < length; i++) decoding.readAny(decoder);
          break;
        }
        default:
          return ref < CONTENT_NAMES.length
            ? { kind: 'structure', detail: `content ${CONTENT_NAMES[ref]}` }
            : { kind: 'malformed', detail: `unknown content type ${ref}` };
      }
    }
  }
  // The delete set: per client, ranges of clock and length.
  const deleteClients = decoding.readVarUint(decoder);
  for (let c = 0; c < deleteClients; c++) {
    decoding.readVarUint(decoder); // client
    const ranges = decoding.readVarUint(decoder);
    for (let r = 0; r < ranges; r++) {
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
    }
  }
  if (decoding.hasContent(decoder)) return { kind: 'malformed', detail: 'trailing bytes after the update' };
  return undefined;
}

function skipId(decoder: decoding.Decoder): void {
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
}

// Yjs v1 struct info bits and content references (yjs/src/utils/UpdateDecoder.js, structs/Item.js).
const STRUCT_GC = 0;
const STRUCT_SKIP = 10;
const HAS_ORIGIN = 0b1000_0000;
const HAS_RIGHT_ORIGIN = 0b0100_0000;
const HAS_PARENT_SUB = 0b0010_0000;
const CONTENT_DELETED = 1;
const CONTENT_JSON = 2;
const CONTENT_ANY = 8;
const CONTENT_NAMES = ['GC', 'Deleted', 'JSON', 'Binary', 'String', 'Embed', 'Format', 'Type', 'Any', 'Doc', 'Skip'];

/** @returns whether a SyncStep1 payload is a state vector Yjs can read. */
export function isStateVector(payload: Uint8Array): boolean {
  try {
    Y.decodeStateVector(payload);
    return true;
  } catch {
    return false;
  }
}
