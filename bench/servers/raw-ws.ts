/**
 * The ceiling: a `ws` server that relays every binary frame to every socket on the
 * same URL path (sender included, as Hocuspocus and y-websocket do), with no protocol,
 * document or storage. Prints `READY <port>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const rooms = new Map<string, Set<WebSocket>>();
const wss = new WebSocketServer({ noServer: true });
const http = createServer((_req, res) => res.end('ok'));
http.on('upgrade', (request, socket, head) =>
  wss.handleUpgrade(request, socket, head, (ws) => {
    const name = request.url ?? '/';
    let room = rooms.get(name);
    if (!room) rooms.set(name, (room = new Set()));
    room.add(ws);
    ws.on('message', (data, isBinary) => {
      for (const peer of room) peer.send(data, { binary: isBinary });
    });
    ws.on('close', () => {
      room.delete(ws);
      if (room.size === 0) rooms.delete(name);
    });
  }),
);
http.listen(0, '127.0.0.1', () => console.log(`READY ${(http.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
