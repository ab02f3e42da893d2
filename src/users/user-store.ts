import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { users, type UserRow } from '../db/schema.ts';

export interface UserIdentity {
  id: string;
  name: string;
  email?: string | null;
  avatarUrl?: string | null;
}

/** Users as the database knows them. */
export class UserStore {
  private readonly db: Db;
  /** Ids already written this process: the per-connection upsert is skipped for them. */
  private readonly known = new Set<string>();

  constructor(db: Db) {
    this.db = db;
  }

  async create(identity: UserIdentity): Promise<UserRow> {
    const [row] = await this.db.insert(users).values(identity).returning();
    this.known.add(row!.id);
    return row!;
  }

  /**
   * Records a user on first sight (an application's own tokens name users we have
   * never seen) and keeps their name current. Email clashes keep the old email.
   */
  async ensure(identity: UserIdentity): Promise<void> {
    if (this.known.has(identity.id)) return;
    await this.db
      .insert(users)
      .values({ id: identity.id, name: identity.name, avatarUrl: identity.avatarUrl ?? null })
      .onConflictDoUpdate({ target: users.id, set: { name: sql`excluded.name` } });
    await this.remember(identity);
  }

  /** Whether this process has written the user already (`ensure` would do nothing). */
  isKnown(id: string): boolean {
    return this.known.has(id);
  }

  /**
   * The user's row was just written (by `ensure`, or by a batch that upserted it):
   * records its email, when the token carried one, and skips it from now on.
   */
  async remember(identity: UserIdentity): Promise<void> {
    if (identity.email) {
      // Best effort: an email another user already has (unique) leaves this one without.
      await this.db
        .update(users)
        .set({ email: identity.email })
        .where(eq(users.id, identity.id))
        .catch(() => {});
    }
    this.known.add(identity.id);
  }
}
