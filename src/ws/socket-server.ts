import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import { WebSocketServer, type WebSocket } from 'ws';
import { TokenBucket } from '../limits/token-bucket.ts';
import { logSecurityEvent, type Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { CloseCodes, type ConnectionContext } from './context.ts';
import { FrameGuard } from './frame-guard.ts';
import { clientAddress, isOriginAllowed, type TrustProxy } from '../http/origin.ts';

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
  /** Coalesce a socket's writes within one event-loop turn into one syscall. @default true */
  cork?: boolean;
  /** TRUSTED_PROXIES: whose X-Forwarded-For names the client. @default nobody's */
  trustProxy?: TrustProxy;
}

// ws reports an oversized frame with 1009; API.md promises 4xxx codes.
const WS_MESSAGE_TOO_BIG = 1009;

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
    this.wss.handleUpgrade(request, socket, head, (ws) => this.attach(ws, request, ip));
  };

  private attach(ws: WebSocket, request: IncomingMessage, ip: string): void {
    const { hocuspocus, metrics, log } = this.options;
    if (this.options.cork !== false) corkPerTurn(ws, this.corked);
    const close = ws.close.bind(ws);
    ws.close = (code?: number, reason?: string | Buffer) =>
      code === WS_MESSAGE_TOO_BIG ? close(CloseCodes.messageTooLarge.code, CloseCodes.messageTooLarge.reason) : close(code, reason);

    const url = `http://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) headers.set(name, value.join(', '));
    }
    const context: Partial<ConnectionContext> = { ip, closeSocket: (code, reason) => ws.close(code, reason) };
    const client = hocuspocus.handleConnection(ws, new Request(url, { headers }), context);
    const bucket = new TokenBucket(this.options.messagesPerSecond, this.options.burstMessages);
    const guard = new FrameGuard();

    ws.on('message', (data, isBinary) => {
      if (!bucket.take()) {
        this.reject(ws, CloseCodes.rateLimited, ip, 'rate-limited');
        return;
      }
      if (!isBinary) {
        this.reject(ws, CloseCodes.badFrame, ip, 'message-rejected');
        return;
      }
      const frame = toUint8Array(data);
      if (!guard.accept(frame)) {
        this.reject(ws, CloseCodes.badFrame, ip, 'message-rejected');
        return;
      }
      client.handleMessage(frame);
    });
    ws.on('close', (code, reason) => client.handleClose({ code, reason: reason.toString() }));
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        metrics.messagesRejected.inc({ reason: CloseCodes.messageTooLarge.reason });
        logSecurityEvent(log, { type: 'message-too-large', ip });
      } else {
        metrics.messagesRejected.inc({ reason: 'protocol-error' });
        log.debug({ err: error, ip }, 'websocket protocol error');
      }
    });
  }

  private reject(ws: WebSocket, close: { code: number; reason: string }, ip: string, type: 'rate-limited' | 'message-rejected'): void {
    if (ws.readyState !== ws.OPEN) return;
    this.options.metrics.messagesRejected.inc({ reason: close.reason });
    logSecurityEvent(this.options.log, { type, ip, reason: close.reason });
    ws.close(close.code, close.reason);
  }

  /** Terminates every socket and stops the ws server. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
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
