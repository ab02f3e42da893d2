import type { Hocuspocus } from '@hocuspocus/server';
import type { Assets } from '../assets/index.ts';
import type { UserClaims, TokenService } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { RoomDocuments } from '../document-api/room-documents.ts';
import type { Exports } from '../export-jobs/index.ts';
import type { RoomVersions } from '../documents/room-versions.ts';
import type { SnapshotStore } from '../documents/snapshot-store.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { OnlineRegistry } from '../presence/online-registry.ts';
import type { AccessChanges } from '../rooms/access-changes.ts';
import type { InviteStore } from '../rooms/invite-store.ts';
import type { RoomStore } from '../rooms/room-store.ts';
import type { UserStore } from '../users/user-store.ts';
import type { Webhooks } from '../webhooks/index.ts';

/** What the REST routes need, passed in explicitly (no module state). */
export interface AppDeps {
  config: Config;
  database: Database;
  tokens: TokenService;
  rooms: RoomStore;
  invites: InviteStore;
  /** Every access change goes here, so live connections on every instance follow it. */
  accessChanges: AccessChanges;
  users: UserStore;
  snapshots: SnapshotStore;
  /** Named versions: the board now, stored through the compaction path. */
  versions: RoomVersions;
  online: OnlineRegistry;
  hocuspocus: Hocuspocus;
  metrics: Metrics;
  log: Logger;
  /** Export jobs: their queue and file store. */
  exports: Exports;
  /** Images and videos of rooms: their rows, files and garbage collector. */
  assets: Assets;
  /** Rooms' documents for the REST document API. */
  documents: RoomDocuments;
  /** Webhook subscriptions, outbox and delivery. */
  webhooks: Webhooks;
  /** Invite links and file URLs start here. */
  publicUrl: () => string;
  /** Extra readiness checks (Redis, when configured). */
  readinessChecks: Array<{ name: string; check: () => Promise<void> }>;
}

export interface AppEnv {
  Variables: {
    user: UserClaims;
    clientIp: string;
  };
}
