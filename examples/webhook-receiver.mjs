// Receives Scrible webhooks and verifies them (Standard Webhooks) with node:crypto only.
// Usage: WEBHOOK_SECRET=whsec_… node examples/webhook-receiver.mjs   (listens on :4000)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const key = Buffer.from(process.env.WEBHOOK_SECRET.replace(/^whsec_/, ''), 'base64');
const seen = new Set(); // webhook-id is the same on every retry: handle each once

createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const id = request.headers['webhook-id'];
    const timestamp = request.headers['webhook-timestamp'];
    const expected = Buffer.from(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`);
    const valid = String(request.headers['webhook-signature'])
      .split(' ')
      .some((signature) => signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected));
    const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300; // refuse replays
    if (!valid || !fresh) return response.writeHead(401).end();
    if (!seen.has(id)) {
      seen.add(id);
      console.log(JSON.parse(body));
    }
    response.writeHead(204).end();
  });
}).listen(4000, () => console.log('listening on http://localhost:4000'));
