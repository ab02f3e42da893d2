import type {
  beforeHandleAwarenessPayload,
  Extension,
  onAwarenessUpdatePayload,
  onDestroyPayload,
  onDisconnectPayload,
} from '@hocuspocus/server';
import { logSecurityEvent, type Logger } from '../src/log.ts';
import type { ConnectionContext } from '../src/ws/context.ts';

export interface AwarenessIdentityConfiguration {
  /** Awareness client ids one connection may publish (one per tab; a few for safety). @default 4 */
  maxClientsPerConnection: number;
  /** How long a removed client's awareness clock is kept, so late duplicates stay ignored. @default 5000 (ms) */
  metaRetentionMs: number;
  log: Logger;
}

/**
 * Makes presence trustworthy. Each awareness client id belongs to the connection that
 * published it first (while nobody, here or on another instance, had a state for it);
 * any other connection's entries for it are dropped, so nobody can move or rename
 * someone else's cursor. Every state a connection publishes is stamped with the identity
 * its token proved, in the fields the whiteboard draws (`user.id`/`user.name`,
 * `presence.userId`/`presence.userName`), with or without a `user` field.
 *
 * States relayed from other instances (Redis) were stamped where they came from; here
 * they may not overwrite an id a local connection owns. When a client leaves, its
 * awareness clock entry (y-protocols keeps one per client id forever) is dropped a little
 * later, once every broadcast of the removal has been encoded.
 */
export class AwarenessIdentity implements Extension {
  extensionName = 'scrible-awareness-identity';
  priority = 1050;
  private readonly configuration: AwarenessIdentityConfiguration;
  /** `${socketId}\0${documentName}` -> the client ids that connection owns. */
  private readonly owned = new Map<string, Set<number>>();
  /** documentName -> clientId -> owning connection key. */
  private readonly owners = new Map<string, Map<number, string>>();
  private readonly sweeps = new Set<NodeJS.Timeout>();

  constructor(configuration: Pick<AwarenessIdentityConfiguration, 'log'> & Partial<AwarenessIdentityConfiguration>) {
    this.configuration = { maxClientsPerConnection: 4, metaRetentionMs: 5_000, ...configuration };
  }

  async beforeHandleAwareness(payload: beforeHandleAwarenessPayload<ConnectionContext>): Promise<void> {
    const { states, context, connection, documentName, document } = payload;
    const owners = this.owners.get(documentName);
    const user = context?.user;
    if (!connection || !user) {
      // Relayed or server-made: never over a locally owned client.
      if (owners) for (const id of states.keys()) if (owners.has(id)) states.delete(id);
      return;
    }
    const key = `${payload.socketId}\0${documentName}`;
    let mine = this.owned.get(key);
    let refused = 0;
    for (const [id, state] of states) {
      if (!mine?.has(id) && isBlank(state)) {
        // y-protocols starts every Awareness with `{}`; Hocuspocus decodes each frame into a
        // scratch Awareness whose own blank state rides along under a random id. A blank
        // state shows nothing, so it claims nothing: dropped quietly.
        states.delete(id);
        continue;
      }
      if (!mine?.has(id)) {
        const free = !owners?.has(id) && !document.awareness.getStates().has(id) && id !== document.awareness.clientID;
        if (!free || (mine?.size ?? 0) >= this.configuration.maxClientsPerConnection) {
          states.delete(id);
          // A provider answers a presence query with every state it knows, its peers'
          // too: an unchanged copy is an echo, not an attempt worth a security event.
          if (!isEcho(document.awareness.getStates().get(id), state)) refused++;
          continue;
        }
        if (!mine) this.owned.set(key, (mine = new Set()));
        mine.add(id);
        this.ownersOf(documentName).set(id, key);
      }
      if (state && typeof state === 'object') stamp(state, user);
    }
    if (refused > 0) {
      logSecurityEvent(this.configuration.log, {
        type: 'awareness-refused',
        roomId: documentName,
        userId: user.id,
        ip: context.ip,
        reason: `${refused} awareness state(s) of client ids this connection does not own dropped`,
      });
    }
  }

  async onAwarenessUpdate({ document, removed }: onAwarenessUpdatePayload): Promise<void> {
    if (removed.length === 0) return;
    const timer = setTimeout(() => {
      this.sweeps.delete(timer);
      const { meta, states } = document.awareness;
      for (const id of removed) if (!states.has(id)) meta.delete(id);
    }, this.configuration.metaRetentionMs);
    timer.unref();
    this.sweeps.add(timer);
  }

  async onDisconnect({ socketId, documentName }: onDisconnectPayload): Promise<void> {
    const key = `${socketId}\0${documentName}`;
    const mine = this.owned.get(key);
    if (!mine) return;
    this.owned.delete(key);
    const owners = this.owners.get(documentName);
    if (!owners) return;
    for (const id of mine) if (owners.get(id) === key) owners.delete(id);
    if (owners.size === 0) this.owners.delete(documentName);
  }

  async onDestroy(_payload: onDestroyPayload): Promise<void> {
    for (const timer of this.sweeps) clearTimeout(timer);
    this.sweeps.clear();
  }

  private ownersOf(documentName: string): Map<number, string> {
    let owners = this.owners.get(documentName);
    if (!owners) this.owners.set(documentName, (owners = new Map()));
    return owners;
  }
}

/**
 * Writes the token's identity into a state (API.md: `{ user: { id, name, color }, presence }`).
 * The colour stays the client's choice when it is a short string.
 */
function stamp(state: Record<string, unknown>, user: ConnectionContext['user']): void {
  const claimed = typeof state.user === 'object' && state.user !== null ? (state.user as Record<string, unknown>) : {};
  const color = typeof claimed.color === 'string' && claimed.color.length <= 32 ? claimed.color : user.color;
  state.user = { ...claimed, id: user.id, name: user.name, color };
  const presence = state.presence;
  if (typeof presence === 'object' && presence !== null) {
    // tldraw 5 validates presence.userId as a user record id (`user:<id>`, TLDRAW.md).
    (presence as Record<string, unknown>).userId = `user:${user.id}`;
    (presence as Record<string, unknown>).userName = user.name;
  }
}

/** Whether a relayed awareness state only repeats the one this server already holds. */
function isEcho(held: unknown, relayed: unknown): boolean {
  return held !== undefined && JSON.stringify(held) === JSON.stringify(relayed);
}

function isBlank(state: unknown): boolean {
  return typeof state === 'object' && state !== null && Object.keys(state).length === 0;
}
