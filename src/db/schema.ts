import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

/** Yjs updates and state vectors; postgres.js hands back Buffers, PGlite Uint8Arrays. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/**
 * People. Ids are text, not UUIDs, because an application with its own login
 * mints user tokens with its own ids (`sub`); guests get a random UUID.
 */
export const users = pgTable('users', {
  id: varchar('id', { length: 128 }).primaryKey(),
  name: varchar('name', { length: 255 }).notNull(),
  email: varchar('email', { length: 255 }).unique(),
  avatarUrl: text('avatar_url'),
  createdAt: createdAt(),
});

export const rooms = pgTable(
  'rooms',
  {
    id: varchar('id', { length: 20 }).primaryKey(),
    name: varchar('name', { length: 255 }).notNull(),
    ownerId: varchar('owner_id', { length: 128 }).references(() => users.id),
    visibility: varchar('visibility', { length: 10 }).notNull(),
    passwordHash: varchar('password_hash', { length: 255 }),
    createdAt: createdAt(),
    lastActive: timestamp('last_active', { withTimezone: true }).notNull().defaultNow(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    /**
     * Bumped by every change that takes access away from people holding room tokens
     * (password change, switch to private): room tokens carry it, and one issued under
     * an older epoch is refused.
     */
    accessEpoch: integer('access_epoch').notNull().default(0),
  },
  (t) => [
    check('rooms_visibility_check', sql`${t.visibility} IN ('public', 'private')`),
    index('idx_rooms_owner').on(t.ownerId),
    index('idx_rooms_last_active').on(t.lastActive),
  ],
);

/** Who may open a private room without the password: set by /join (password or invite). */
export const roomMembers = pgTable(
  'room_members',
  {
    roomId: varchar('room_id', { length: 20 })
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: varchar('user_id', { length: 128 })
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 10 }).notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * How the member got in: `invite`, `password` (dropped when the password changes) or
     * `public` (a visit to an open room; dropped when the room becomes private or gets
     * a password). Rows from before this column count as invited.
     */
    via: varchar('via', { length: 10 }).notNull().default('invite'),
  },
  (t) => [
    primaryKey({ columns: [t.roomId, t.userId] }),
    check('room_members_via_check', sql`${t.via} IN ('invite', 'password', 'public')`),
    check('room_members_role_check', sql`${t.role} IN ('owner', 'editor', 'viewer')`),
    index('idx_members_user').on(t.userId),
  ],
);

/** One row per WebSocket session in a room: the join/leave history. */
export const roomParticipants = pgTable(
  'room_participants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: varchar('room_id', { length: 20 }).references(() => rooms.id, { onDelete: 'cascade' }),
    userId: varchar('user_id', { length: 128 }).references(() => users.id),
    clientId: varchar('client_id', { length: 50 }).notNull(),
    role: varchar('role', { length: 10 }).notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (t) => [
    check('room_participants_role_check', sql`${t.role} IN ('owner', 'editor', 'viewer')`),
    index('idx_participants_room').on(t.roomId),
    index('idx_participants_user').on(t.userId),
  ],
);

export const roomSnapshots = pgTable(
  'room_snapshots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: varchar('room_id', { length: 20 }).references(() => rooms.id, { onDelete: 'cascade' }),
    snapshotData: bytea('snapshot_data').notNull(),
    stateVector: bytea('state_vector').notNull(),
    version: integer('version').notNull(),
    createdAt: createdAt(),
    /** Set by `POST /api/rooms/:id/versions`: a named version is never pruned. */
    name: varchar('name', { length: 100 }),
    /**
     * Who made the change stored here, or named the version; null when unknown (a change
     * relayed from another instance, a store after a restart). No foreign key: user
     * tokens minted by another application may name users this server never recorded,
     * and a snapshot must never fail over that.
     */
    createdBy: varchar('created_by', { length: 128 }),
  },
  (t) => [
    // Concurrent stores of one room (two instances, or a retry racing a new
    // store) must never produce two rows with the same version.
    unique('room_snapshots_room_version_unique').on(t.roomId, t.version),
    index('idx_snapshots_room_version').on(t.roomId, t.version.desc()),
  ],
);

/**
 * The durable update log: every accepted update is appended here before its sender
 * is acknowledged, so a crash loses nothing acknowledged. A room loads as its newest
 * snapshot plus its log; a snapshot store deletes the rows it covers.
 */
export const roomUpdates = pgTable(
  'room_updates',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    roomId: varchar('room_id', { length: 20 })
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    update: bytea('update').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('idx_room_updates_room_seq').on(t.roomId, t.seq)],
);

/**
 * Stored data Yjs could not decode (log rows and snapshot versions), moved aside
 * instead of deleted: kept for inspection or a manual repair, out of the way of
 * loads and compactions.
 */
export const quarantinedData = pgTable(
  'quarantined_data',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: varchar('room_id', { length: 20 })
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    /** `update` (a room_updates row) or `snapshot` (a room_snapshots version). */
    kind: varchar('kind', { length: 10 }).notNull(),
    /** The row's seq, or the snapshot's version. */
    sourceId: bigint('source_id', { mode: 'number' }).notNull(),
    data: bytea('data').notNull(),
    error: text('error').notNull(),
    /** When the original row was written. */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    quarantinedAt: timestamp('quarantined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('quarantined_data_kind_check', sql`${t.kind} IN ('update', 'snapshot')`), index('idx_quarantined_room').on(t.roomId)],
);

/**
 * Invite links. The signed token names its row, so an invite can be listed, limited to
 * `max_uses` joins and revoked (deleting the row).
 */
export const invites = pgTable(
  'invites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: varchar('room_id', { length: 20 })
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 10 }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    uses: integer('uses').notNull().default(0),
    /** Null: unlimited. */
    maxUses: integer('max_uses'),
    createdAt: createdAt(),
  },
  (t) => [check('invites_role_check', sql`${t.role} IN ('editor', 'viewer')`), index('idx_invites_room').on(t.roomId)],
);

export const exportsTable = pgTable(
  'exports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: varchar('room_id', { length: 20 }).references(() => rooms.id, { onDelete: 'cascade' }),
    format: varchar('format', { length: 10 }).notNull(),
    status: varchar('status', { length: 20 }).notNull(),
    fileUrl: text('file_url'),
    errorMessage: text('error_message'),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    requestedBy: varchar('requested_by', { length: 128 }),
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    fileKey: text('file_key'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [
    check('exports_format_check', sql`${t.format} IN ('png', 'svg', 'json', 'pdf')`),
    check('exports_status_check', sql`${t.status} IN ('pending', 'processing', 'completed', 'failed')`),
    index('idx_exports_room').on(t.roomId),
    index('idx_exports_status').on(t.status, t.createdAt),
  ],
);

/**
 * Images and videos of a room (issue 13), stored in the file store under
 * `<roomId>/<id>/`, never inside the document. Content-addressed: `id` is the SHA-256
 * of the bytes, so the same file uploaded twice to a room is one row and one file.
 */
export const assets = pgTable(
  'assets',
  {
    roomId: varchar('room_id', { length: 20 })
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    /** SHA-256 of the bytes, lower-case hex. */
    id: varchar('id', { length: 64 }).notNull(),
    /** Sniffed from the bytes, one of the allowed types. */
    mimeType: varchar('mime_type', { length: 40 }).notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    /** Images only (as displayed, EXIF orientation applied). */
    width: integer('width'),
    height: integer('height'),
    createdAt: createdAt(),
    createdBy: varchar('created_by', { length: 128 }),
    /** When the garbage collector last compared the asset with the room's kept versions. */
    checkedAt: timestamp('checked_at', { withTimezone: true }),
    /**
     * Since when no kept version of the board references the asset, as far as the
     * collector has seen (null: referenced, or not checked yet); it is deleted once
     * this is older than ASSET_GC_GRACE_SECONDS. An upload of the same bytes clears it.
     */
    unreferencedSince: timestamp('unreferenced_since', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.roomId, t.id] }),
    check('assets_id_check', sql`${t.id} ~ '^[0-9a-f]{64}$'`),
    check('assets_size_check', sql`${t.size} >= 0`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type RoomRow = typeof rooms.$inferSelect;
export type SnapshotRow = typeof roomSnapshots.$inferSelect;
export type ExportRow = typeof exportsTable.$inferSelect;
export type InviteRow = typeof invites.$inferSelect;
export type AssetRow = typeof assets.$inferSelect;
export type MemberVia = 'invite' | 'password' | 'public';
export type Role = 'owner' | 'editor' | 'viewer';

/** Webhook subscriptions of a room (owner-managed); `secret` is `whsec_` + base64 key. */
export const webhooks = pgTable(
  'webhooks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: varchar('room_id', { length: 20 })
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: text('events').array().notNull(),
    secret: text('secret').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('idx_webhooks_room').on(t.roomId)],
);

/**
 * The webhook outbox: one row per event and subscriber, written in the same
 * transaction as the change it reports where possible. Its id is the
 * `webhook-id` of every attempt. The URL and secret are copied in so that a
 * `room.deleted` event outlives the room's subscriptions (which cascade away).
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    webhookId: uuid('webhook_id').references(() => webhooks.id, { onDelete: 'set null' }),
    roomId: varchar('room_id', { length: 20 }).notNull(),
    url: text('url').notNull(),
    secret: text('secret').notNull(),
    event: varchar('event', { length: 40 }).notNull(),
    /** The exact JSON body sent on every attempt. */
    body: text('body').notNull(),
    status: varchar('status', { length: 12 }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** A claim by one instance; after it passes, any instance may take the row again. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: createdAt(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    check('webhook_deliveries_status_check', sql`${t.status} IN ('pending', 'delivered', 'failed')`),
    index('idx_webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('idx_webhook_deliveries_webhook').on(t.webhookId, t.createdAt),
    index('idx_webhook_deliveries_room_event').on(t.roomId, t.event, t.createdAt),
  ],
);

export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
