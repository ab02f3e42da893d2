import * as decoding from 'lib0/decoding';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface AwarenessFrameLimits {
  /** Most client ids one awareness update may carry (a tab publishes its own one). */
  maxClients: number;
  /** Largest JSON state of one client, in bytes. */
  maxStateBytes: number;
}

/**
 * Checks the shape of an awareness update (y-protocols: count, then per client its
 * id, clock and JSON state) without parsing any JSON, before Hocuspocus decodes it into
 * a scratch Awareness. One frame with 100,000 client ids stalled the server and left
 * ~90 MiB behind; 16 states of 1.9 MiB were kept and sent to every joiner in one frame.
 *
 * @returns undefined when acceptable, otherwise why not
 */
export function checkAwarenessUpdate(payload: Uint8Array, limits: AwarenessFrameLimits): string | undefined {
  try {
    const decoder = decoding.createDecoder(payload);
    const count = decoding.readVarUint(decoder);
    if (count > limits.maxClients) return `${count} client ids in one update (at most ${limits.maxClients})`;
    for (let i = 0; i < count; i++) {
      decoding.readVarUint(decoder); // client id
      decoding.readVarUint(decoder); // clock
      const length = decoding.readVarUint(decoder);
      if (length > limits.maxStateBytes) return `a state of ${length} bytes (at most ${limits.maxStateBytes})`;
      if (decoder.pos + length > payload.byteLength) return 'truncated awareness update';
      // Hocuspocus parses each state with JSON.parse and would log a stack trace for
      // bad JSON; the states are small and few by now, so parse them here first.
      JSON.parse(utf8.decode(payload.subarray(decoder.pos, decoder.pos + length)));
      decoder.pos += length;
    }
    return decoder.pos === payload.byteLength ? undefined : 'trailing bytes after the awareness update';
  } catch {
    return 'undecodable awareness update';
  }
}
