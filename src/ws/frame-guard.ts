import { MessageType } from '@hocuspocus/server';

/**
 * Checks the envelope of every binary frame before Hocuspocus parses it: a
 * document name (length-prefixed UTF-8 that fits the frame), a message type a client
 * may send, and for sync messages a known step whose payload fits exactly. Garbage is
 * refused here, cheaply and quietly, instead of reaching parsers that throw and log
 * a stack trace per frame. The payload itself (a Yjs update) is left to Yjs.
 *
 * One guard per socket: it remembers the last document name it decoded and compares
 * bytes, so the common frame costs no allocation.
 */
export class FrameGuard {
  private lastName: Uint8Array | undefined;
  private lastNameText = '';
  private static readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  /** Of the last accepted frame: its message type. */
  messageType = -1;
  /** Of the last accepted sync frame: 0 SyncStep1, 1 SyncStep2, 2 Update. */
  syncStep = -1;
  /** Of the last accepted sync or awareness frame: where its payload starts. */
  payloadOffset = 0;

  /** The document name of the last accepted frame (the room id). */
  get documentName(): string {
    // Session-aware providers address `<document>\0<session>`.
    const end = this.lastNameText.indexOf('\0');
    return end === -1 ? this.lastNameText : this.lastNameText.slice(0, end);
  }

  /** @returns true when the frame is well-formed enough to hand to Hocuspocus. */
  accept(frame: Uint8Array): boolean {
    const reader = new VarReader(frame);
    const nameLength = reader.uint();
    if (nameLength === undefined || nameLength > 1024 || reader.offset + nameLength > frame.byteLength) return false;
    if (!this.validName(frame, reader.offset, nameLength)) return false;
    reader.offset += nameLength;
    const type = reader.uint();
    this.messageType = type ?? -1;
    switch (type) {
      case MessageType.Sync:
      case MessageType.SyncReply: {
        const step = reader.uint();
        if (step === undefined || step > 2) return false;
        this.syncStep = step;
        const length = reader.uint();
        this.payloadOffset = reader.offset;
        return length !== undefined && reader.offset + length === frame.byteLength;
      }
      case MessageType.Awareness: {
        const length = reader.uint();
        this.payloadOffset = reader.offset;
        return length !== undefined && reader.offset + length === frame.byteLength;
      }
      case MessageType.Auth:
      case MessageType.QueryAwareness:
      case MessageType.Stateless:
      case MessageType.CLOSE:
      case MessageType.Ping:
      case MessageType.Pong:
        return true;
      default:
        // Unknown types, and the server-to-server or server-to-client ones
        // (BroadcastStateless, SyncStatus), never come from a well-behaved client.
        return false;
    }
  }

  private validName(frame: Uint8Array, start: number, length: number): boolean {
    const last = this.lastName;
    if (last && last.byteLength === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (last[i] !== frame[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    const name = frame.slice(start, start + length);
    try {
      this.lastNameText = FrameGuard.utf8.decode(name);
    } catch {
      return false;
    }
    this.lastName = name;
    return true;
  }
}

/** lib0 variable-length unsigned integers, without exceptions: `undefined` when malformed. */
class VarReader {
  offset = 0;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  uint(): number | undefined {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 8; i++) {
      if (this.offset >= this.bytes.byteLength) return undefined;
      const byte = this.bytes[this.offset++]!;
      value += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return value;
      multiplier *= 128;
    }
    return undefined;
  }
}
