/**
 * Baseline: the y-websocket server (`@y/websocket-server` utils, in-memory, as its
 * own `server.js` runs it). The room is the URL path. Prints `READY <port>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setupWSConnection } from '@y/websocket-server/utils';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ noServer: true });
wss.on('connection', setupWSConnection);
const http = createServer((_req, res) => res.end('ok'));
http.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request)));
http.listen(0, '127.0.0.1', () => console.log(`READY ${(http.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
