import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: { type: string; timestamp: string; data: any; roomId: string };
}

/** What the receiver does with the n-th request (0-based): answer with a status, or never answer. */
export type Responder = (index: number) => number | 'hang';

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  respond: Responder;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on 127.0.0.1 recording every request. Closed when the test ends.
 * @param port - 0 for any free port, or a port to reuse (restart tests).
 */
export async function startReceiver(respond: Responder = () => 200, port = 0): Promise<WebhookReceiver> {
  const hanging = new Set<ServerResponse>();
  const receiver: WebhookReceiver = { url: '', port: 0, received: [], respond, close: async () => {} };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const index = receiver.received.length;
      receiver.received.push({
        id: String(request.headers['webhook-id']),
        timestamp: String(request.headers['webhook-timestamp']),
        signature: String(request.headers['webhook-signature']),
        body,
        json: JSON.parse(body),
      });
      const answer = receiver.respond(index);
      if (answer === 'hang') hanging.add(response);
      else response.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  let closed = false;
  receiver.close = async () => {
    if (closed) return;
    closed = true;
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  onTestFinished(() => receiver.close());
  return receiver;
}

/**
 * Verifies a delivery the way a receiver following Standard Webhooks does, with
 * node:crypto only (none of the server's code): HMAC-SHA256 keyed with the secret's
 * base64 key over `<id>.<timestamp>.<body>`.
 */
export function signatureIsValid(secret: string, delivery: ReceivedWebhook): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${delivery.id}.${delivery.timestamp}.${delivery.body}`).digest('base64');
  return delivery.signature.split(' ').includes(`v1,${expected}`);
}
