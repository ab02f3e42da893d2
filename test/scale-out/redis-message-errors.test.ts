import { Redis } from '@hocuspocus/extension-redis';
import { Document, OutgoingMessage } from '@hocuspocus/server';
import { Redis as IORedis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts';

// patches/@hocuspocus+extension-redis+4.7.0.patch: a peer's message that cannot be
// answered (Redis went away mid-exchange) reaches onIncomingMessageError, which
// extensions/redis.ts logs, instead of being an unhandled rejection (seen in a CI run
// of the live-access outage test; vitest fails a run on any unhandled rejection).
class RecordingRedis extends Redis {
  readonly errors: unknown[] = [];
  protected override onIncomingMessageError(error: unknown): void {
    this.errors.push(error);
  }
}

/** What another instance publishes: its identifier, then the message. */
function fromPeer(identifier: string, message: Uint8Array): Buffer {
  const id = Buffer.from(identifier, 'utf-8');
  return Buffer.concat([Buffer.from([id.length]), id, message]);
}

describe('Redis fan-out: a peer message that cannot be answered', () => {
  let redis: RedisServer | undefined;
  let extension: RecordingRedis | undefined;
  afterEach(async () => {
    extension?.pub.disconnect();
    extension?.sub.disconnect();
    await redis?.stop();
  });

  it('reports each refused reply as an error of that message, not as an unhandled rejection', async () => {
    redis = await startRedisServer();
    const url = redis.url;
    extension = new RecordingRedis({ identifier: 'me', prefix: 'errors-test', createClient: () => new IORedis(url) });
    const document = new Document('room');
    (extension as unknown as { documents: Map<string, Document> }).documents.set('room', document);
    // A peer's SyncStep1 asks for a reply (its SyncStep2), which goes out on the publisher.
    const step1 = new OutgoingMessage('room').createSyncMessage().writeFirstSyncStepFor(new Document('room')).toUint8Array();
    await extension.pub.ping();
    extension.pub.disconnect();

    extension.sub.emit('messageBuffer', Buffer.from('errors-test:reply'), fromPeer('peer', step1));
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Two replies: the SyncStep2 the peer asked for and our own SyncStep1 back.
    expect(extension.errors.map(String)).toEqual(['Error: Connection is closed.', 'Error: Connection is closed.']);
  });
});
