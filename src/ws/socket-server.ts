import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import { WebSocketServer, type WebSocket } from 'ws';
import { TokenBucket } from '../limits/token-bucket.ts';
import { logSecurityEvent, type Logger, type SecurityEvent } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { MessageType } from '@hocuspocus/server';
import { clientAddress, isOriginAllowed, type TrustProxy } from '../net/origin.ts';
import { type CloseCode, CloseCodes } from '../protocol/close-codes.ts';
import { checkAwarenessUpdate } from './awareness-frame.ts';
import { boardRootNames, checkBoardUpdate, isStateVector } from './board-update-filter.ts';
import type { ConnectionContext } from './context.ts';
import { FrameGuard } from './frame-guard.ts';

export interface SocketServerOptions {
  hocuspocus: Hocuspocus;
  metrics: Metrics;
  log: Logger;
  /** `undefined`: any origin (development). */
  corsOrigins: string[] | undefined;
  maxMessageBytes: number;
  messagesPerSecond: number;
  burstMessages: number;
  compression: boolean;
  /**
   * Coalesce a socket's writes within one event-loop turn into one syscall. Off unless
   * asked for: the uncork lands one loop iteration after Hocuspocus's own flush (which
   * itself runs in a setImmediate), so under load every frame waits a whole iteration
   * (WS_CORK; bench/README.md). @default false
   */
  cork?: boolean;
  /**
   * A socket that still has more than this queued for its client when the next
   * event-loop turn sends to it is closed (4504 slow-reader). @default 8388608 (8 MiB)
   */
  maxBufferedBytes?: number;
  /** A socket that has not authenticated a document by then is closed (4408). */
  authTimeoutMs: number;
  /** Open sockets per client address; more are refused before the upgrade (429). */
  maxConnectionsPerIp: number;
  /** What a socket may send before its first authentication completes (4429 beyond). */
  preAuthMaxBytes: number;
  preAuthMaxMessages: number;
  awareness: {
    /** Client ids in one awareness update. */
    maxClients: number;
    /** Bytes of one client's JSON state. */
    maxStateBytes: number;
    /** Awareness updates per second per socket; the excess is dropped. */
    perSecond: number;
    burst: number;
  };
  /** TRUSTED_PROXIES: whose X-Forwarded-For names the client. @default nobody's */
  trustProxy?: TrustProxy;
}

// ws reports an oversized frame with 1009; API.md promises 4xxx codes.
const WS_MESSAGE_TOO_BIG = 1009;
const SYNC_STEP_1 = 0;

/** Who is on the other end, for security events. */
interface Peer {
  ip: string;
  userId: string | undefined;
}

/**
 * Accepts WebSocket upgrades on any path and hands each socket to Hocuspocus.
 * Everything that can be refused without parsing the Yjs protocol is refused here:
 * foreign origins (before the upgrade), oversized frames (by ws, from the frame
 * header, before buffering), clients over their message rate, text frames, and
 * binary frames whose envelope is not the Hocuspocus protocol.
 */
export class SocketServer {
  private readonly options: SocketServerOptions;
  private readonly wss: WebSocketServer;
  private readonly corked = new CorkedSockets();
  private readonly turns = new TurnClock();
  /** Open sockets per client address. */
  private readonly perAddress = new Map<string, number>();

  constructor(options: SocketServerOptions) {
    this.options = options;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes,
      perMessageDeflate: options.compression,
      clientTracking: true,
    });
  }

  /** The `upgrade` listener for the shared `node:http` server. */
  handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const ip = clientAddress(request, this.options.trustProxy);
    const origin = request.headers.origin;
    if (!isOriginAllowed(origin, this.options.corsOrigins, request.headers.host)) {
      this.options.metrics.messagesRejected.inc({ reason: 'origin-refused' });
      logSecurityEvent(this.options.log, { type: 'origin-refused', ip, reason: String(origin).slice(0, 200) });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\norigin not allowed\n');
      return;
    }
    const open = this.perAddress.get(ip) ?? 0;
    if (open >= this.options.maxConnectionsPerIp) {
      this.options.metrics.messagesRejected.inc({ reason: 'too-many-connections' });
      logSecurityEvent(this.options.log, { type: 'connection-limit', ip, reason: `${open} open sockets` });
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\ntoo many connections\n');
      return;
    }
    // Counted from here, not from the upgrade callback, so a burst of handshakes cannot
    // all pass the check before any of them is counted.
    this.perAddress.set(ip, open + 1);
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = (this.perAddress.get(ip) ?? 1) - 1;
      if (left > 0) this.perAddress.set(ip, left);
      else this.perAddress.delete(ip);
    };
    socket.once('close', release);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.attach(ws, request, ip));
  };

  private attach(ws: WebSocket, request: IncomingMessage, ip: string): void {
    const { hocuspocus, metrics, log, awareness } = this.options;
    closeSlowReader(ws, this.turns, this.options.maxBufferedBytes ?? 8 * 1024 * 1024, () => {
      metrics.messagesRejected.inc({ reason: CloseCodes.slowReader.reason });
      log.warn({ ip, bufferedBytes: ws.bufferedAmount }, 'client does not read what it is sent; closing its socket');
    });
    if (this.options.cork === true) corkPerTurn(ws, this.corked);
    const close = ws.close.bind(ws);
    ws.close = (code?: number, reason?: string | Buffer) =>
      code === WS_MESSAGE_TOO_BIG ? close(CloseCodes.messageTooLarge.code, CloseCodes.messageTooLarge.reason) : close(code, reason);

    // Until a document authenticates, the socket has a deadline and a small budget: an
    // unauthenticated socket costs memory (Hocuspocus queues its frames) and a slot.
    const peer: Peer = { ip, userId: undefined };
    let authenticated = false;
    let preAuthBytes = 0;
    let preAuthMessages = 0;
    const authDeadline = setTimeout(() => {
      this.reject(ws, CloseCodes.authTimeout, peer, 'auth-timeout', `no authentication within ${this.options.authTimeoutMs} ms`);
    }, this.options.authTimeoutMs);
    const context: Partial<ConnectionContext> = {
      ip,
      closeSocket: (code, reason) => ws.close(code, reason),
      markAuthenticated: (userId) => {
        authenticated = true;
        peer.userId ??= userId;
        clearTimeout(authDeadline);
      },
    };
    const client = hocuspocus.handleConnection(ws, requestView(request), context);
    const bucket = new TokenBucket(this.options.messagesPerSecond, this.options.burstMessages);
    const awarenessBucket = new TokenBucket(awareness.perSecond, awareness.burst);
    let awarenessDropsLogged = false;
    const guard = new FrameGuard();

    ws.on('message', (data, isBinary) => {
      if (!bucket.take()) {
        this.reject(ws, CloseCodes.rateLimited, peer, 'rate-limited');
        return;
      }
      if (!isBinary) {
        this.reject(ws, CloseCodes.badFrame, peer, 'message-rejected');
        return;
      }
      const frame = toUint8Array(data);
      if (!guard.accept(frame)) {
        this.reject(ws, CloseCodes.badFrame, peer, 'message-rejected');
        return;
      }
      if (!authenticated) {
        preAuthBytes += frame.byteLength;
        preAuthMessages += 1;
        if (preAuthBytes > this.options.preAuthMaxBytes || preAuthMessages > this.options.preAuthMaxMessages) {
          const detail = `${preAuthMessages} messages, ${preAuthBytes} bytes before authentication`;
          this.reject(ws, CloseCodes.preAuthLimit, peer, 'message-rejected', detail);
          return;
        }
      }
      const type = guard.messageType;
      if (type === MessageType.Sync || type === MessageType.SyncReply) {
        const payload = frame.subarray(guard.payloadOffset);
        if (guard.syncStep === SYNC_STEP_1) {
          if (!isStateVector(payload))
            this.reject(ws, CloseCodes.badUpdate, peer, 'bad-update', 'undecodable state vector', guard.documentName);
        } else {
          const problem = checkBoardUpdate(payload, boardRootNames(guard.documentName));
          if (problem?.kind === 'malformed') this.reject(ws, CloseCodes.badUpdate, peer, 'bad-update', problem.detail, guard.documentName);
          else if (problem) this.reject(ws, CloseCodes.structureRefused, peer, 'structure-refused', problem.detail, guard.documentName);
        }
        if (ws.readyState !== ws.OPEN) return;
      } else if (type === MessageType.Awareness) {
        const problem = checkAwarenessUpdate(frame.subarray(guard.payloadOffset), awareness);
        if (problem) {
          this.reject(ws, CloseCodes.awarenessRefused, peer, 'awareness-refused', problem, guard.documentName);
          return;
        }
        if (!awarenessBucket.take()) {
          // Cursors are superseded by the next update: dropping the excess is enough.
          metrics.messagesRejected.inc({ reason: 'awareness-rate' });
          if (!awarenessDropsLogged) {
            awarenessDropsLogged = true;
            logSecurityEvent(log, { type: 'rate-limited', ...peer, reason: 'awareness updates over the rate; dropping' });
          }
          return;
        }
      }
      client.handleMessage(frame);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(authDeadline);
      client.handleClose({ code, reason: reason.toString() });
    });
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        metrics.messagesRejected.inc({ reason: CloseCodes.messageTooLarge.reason });
        logSecurityEvent(log, { type: 'message-too-large', ...peer });
      } else {
        metrics.messagesRejected.inc({ reason: 'protocol-error' });
        log.debug({ err: error, ip }, 'websocket protocol error');
      }
    });
  }

  /** Closes the socket with `close`, after one security event (and only once). */
  private reject(ws: WebSocket, close: CloseCode, peer: Peer, type: SecurityEvent['type'], detail?: string, roomId?: string): void {
    if (ws.readyState !== ws.OPEN) return;
    this.options.metrics.messagesRejected.inc({ reason: close.reason });
    const reason = detail ? `${close.reason}: ${detail}` : close.reason;
    logSecurityEvent(this.options.log, { type, ...(roomId ? { roomId: roomId.slice(0, 64) } : {}), ...peer, reason });
    ws.close(close.code, close.reason);
  }

  /** Terminates every socket and stops the ws server. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Numbers event-loop turns (one setImmediate per turn in which anyone asks). */
class TurnClock {
  private turn = 0;
  private scheduled = false;
  private readonly next = () => {
    this.turn++;
    this.scheduled = false;
  };

  current(): number {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.next);
    }
    return this.turn;
  }
}

/**
 * Backpressure on readers: memory queued for a client that does not read is
 * bounded. Checked at a socket's first send of each event-loop turn, so what is
 * measured is what earlier turns left unsent, not this turn's own (corked) frames.
 * (A board larger than the limit, opened over a slow link, can trip it: keep the
 * limit above MAX_DOCUMENT_BYTES where that matters.)
 */
function closeSlowReader(ws: WebSocket, turns: TurnClock, maxBufferedBytes: number, onSlow: () => void): void {
  const send = ws.send.bind(ws) as (...args: unknown[]) => void;
  let checkedTurn = -1;
  ws.send = ((...args: unknown[]) => {
    const turn = turns.current();
    if (turn !== checkedTurn) {
      checkedTurn = turn;
      if (ws.readyState === ws.OPEN && ws.bufferedAmount > maxBufferedBytes) {
        onSlow();
        ws.close(CloseCodes.slowReader.code, CloseCodes.slowReader.reason);
      }
    }
    if (ws.readyState !== ws.OPEN) return;
    send(...args);
  }) as WebSocket['send'];
}

/** Sockets corked during this event-loop turn, uncorked together by one setImmediate. */
class CorkedSockets {
  private readonly sockets: Array<{ uncork(): void }> = [];
  private readonly uncorkAll = () => {
    for (let i = 0; i < this.sockets.length; i++) this.sockets[i]!.uncork();
    this.sockets.length = 0;
  };

  add(socket: { uncork(): void }): void {
    if (this.sockets.push(socket) === 1) setImmediate(this.uncorkAll);
  }
}

/**
 * Writes to one socket within one event-loop turn leave in one syscall. The profile of
 * the fan-out bench is dominated by `writev` (one per frame): a writer gets its sync
 * status ack and the echo of its update, a hot-room reader several broadcasts per turn.
 * The uncork runs in the check phase right after this turn's I/O, after Hocuspocus's
 * own setImmediate broadcast flush, so nothing waits for a timer.
 */
function corkPerTurn(ws: WebSocket, corked: CorkedSockets): void {
  const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void; writable: boolean } })._socket;
  if (!socket) return;
  const send = ws.send.bind(ws) as (...args: unknown[]) => void;
  let isCorked = false;
  const entry = {
    uncork: () => {
      isCorked = false;
      socket.uncork();
    },
  };
  ws.send = ((...args: unknown[]) => {
    if (!isCorked && socket.writable) {
      isCorked = true;
      socket.cork();
      corked.add(entry);
    }
    send(...args);
  }) as WebSocket['send'];
}

function toUint8Array(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/**
 * What Hocuspocus reads of the upgrade request: its `url` (for the query parameters,
 * which it parses from a path as well) and its `headers` (put in hook payloads). A
 * fetch `Request` validates and parses the absolute URL on every connection; this view
 * keeps the path as it came and copies the headers once, when Hocuspocus first reads
 * them.
 */
function requestView(request: IncomingMessage): Request {
  let headers: Headers | undefined;
  const view = {
    url: request.url ?? '/',
    get headers(): Headers {
      if (headers) return headers;
      headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers.set(name, value);
        else if (Array.isArray(value)) headers.set(name, value.join(', '));
      }
      return headers;
    },
  };
  return view as unknown as Request;
}
