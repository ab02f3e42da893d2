import { Hono } from 'hono';
import { z } from 'zod';
import {
  checkWebhookUrl,
  ForbiddenUrlError,
  newWebhookSecret,
  toDeliveryView,
  toWebhookView,
  WEBHOOK_EVENTS,
} from '../../webhooks/index.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { badRequest, notFound } from '../errors.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { jsonBody } from '../validate.ts';
import { findRoom, requireOwner } from './room-guards.ts';

const MAX_WEBHOOKS_PER_ROOM = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const createWebhookBody = z.strictObject({
  url: z.string().max(2048),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
});

/** `/api/rooms/:roomId/webhooks`: the owner's subscriptions, their deliveries and manual retries. */
export function webhookRoutes(deps: AppDeps) {
  const auth = bearerAuth(deps.tokens);
  const { webhooks } = deps;

  async function ownedWebhook(roomId: string, webhookId: string, userId: string) {
    const room = await findRoom(deps, roomId);
    requireOwner(room, userId);
    const webhook = UUID.test(webhookId) ? await webhooks.store.get(room.id, webhookId) : undefined;
    if (!webhook) throw notFound(`Webhook ${webhookId.slice(0, 40)} does not exist`, 'webhook-not-found');
    return webhook;
  }

  return new Hono<AppEnv>()
    .post('/:roomId/webhooks', auth, jsonBody(createWebhookBody), async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      const body = c.req.valid('json');
      try {
        await checkWebhookUrl(body.url, webhooks.blockPrivate);
      } catch (error) {
        if (error instanceof ForbiddenUrlError) throw badRequest(error.message, 'invalid-webhook-url');
        throw error;
      }
      if ((await webhooks.store.list(room.id)).length >= MAX_WEBHOOKS_PER_ROOM) {
        throw badRequest(`A room has at most ${MAX_WEBHOOKS_PER_ROOM} webhooks`, 'too-many-webhooks');
      }
      const secret = newWebhookSecret();
      const row = await webhooks.store.create({ roomId: room.id, url: body.url, events: [...new Set(body.events)], secret });
      return c.json({ ...toWebhookView(row), secret }, 201);
    })
    .get('/:roomId/webhooks', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      return c.json((await webhooks.store.list(room.id)).map(toWebhookView));
    })
    .delete('/:roomId/webhooks/:webhookId', auth, async (c) => {
      const webhook = await ownedWebhook(c.req.param('roomId'), c.req.param('webhookId'), c.get('user').sub);
      await webhooks.store.delete(webhook.roomId, webhook.id);
      return c.body(null, 204);
    })
    .get('/:roomId/webhooks/:webhookId/deliveries', auth, async (c) => {
      const webhook = await ownedWebhook(c.req.param('roomId'), c.req.param('webhookId'), c.get('user').sub);
      return c.json((await webhooks.store.deliveries(webhook.id)).map(toDeliveryView));
    })
    .post('/:roomId/webhooks/:webhookId/deliveries/:deliveryId/retry', auth, async (c) => {
      const webhook = await ownedWebhook(c.req.param('roomId'), c.req.param('webhookId'), c.get('user').sub);
      const deliveryId = c.req.param('deliveryId');
      if (!UUID.test(deliveryId) || !(await webhooks.store.retry(webhook.id, deliveryId))) {
        throw notFound(`Delivery ${deliveryId.slice(0, 40)} does not exist`, 'delivery-not-found');
      }
      webhooks.kick();
      return c.json({ id: deliveryId, status: 'pending' }, 202);
    });
}
