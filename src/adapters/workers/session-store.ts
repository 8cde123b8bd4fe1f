/**
 * Records HTTP-transport sessions in the Durable Object's SQLite storage. Sessions live in
 * memory (an object holding one is never idle, so never hibernates); a row that outlives its
 * instance means the object was restarted under a session, and a client that comes back to it
 * is told with a close frame instead of silently getting a fresh session.
 *
 * Storage is written only when a session opens, and emptied (`deleteAll`, which also drops the
 * alarm) once the object holds nothing: no session, no lost session still remembered, no
 * WebSocket. An object addressed by a request that opened nothing stores nothing.
 *
 * Nor is storage read before something needs the table: an object's first SQL statement costs
 * about half a millisecond on local workerd (its database is set up then), which an object that
 * only ever holds a WebSocket need not pay (see `SockJSDurableObject#readStorage`).
 */
import type { CloseInfo } from '../../events.ts';
import type { SessionStore } from '../../session-registry.ts';
import type { DurableObjectState } from './platform.ts';

/** What a client of a session lost in a restart is told. 1012: "service restart". */
export const SESSION_LOST: CloseInfo = {
  code: 1012,
  reason: 'Server restarted, session lost',
  wasClean: false,
};

/** Lost sessions are remembered this long; clients come back within seconds. */
export const LOST_RETENTION_MS = 10 * 60 * 1000;

type Storage = DurableObjectState['storage'];

/** The object's one `sockjs_sessions` table, shared by its services, created on first use. */
export class SessionTable {
  readonly #storage: Storage;
  readonly #onLeftovers: () => void;
  /** Whether the table is in storage; undefined until first read. */
  #present: boolean | undefined;

  /** `onLeftovers` runs when the first read finds rows of a previous instance (now lost). */
  constructor(storage: Storage, onLeftovers: () => void) {
    this.#storage = storage;
    this.#onLeftovers = onLeftovers;
  }

  /**
   * Reads the table once per instance (every other method does so first): rows a previous
   * instance left are sessions lost with it, remembered `LOST_RETENTION_MS`.
   */
  load(): void {
    if (this.#present !== undefined) return;
    this.#present =
      this.#sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sockjs_sessions'").length > 0;
    if (!this.#present) return;
    const now = Date.now();
    this.#sql('UPDATE sockjs_sessions SET lost_at = ? WHERE lost_at IS NULL', now);
    this.#sql('DELETE FROM sockjs_sessions WHERE lost_at < ?', now - LOST_RETENTION_MS);
    this.#onLeftovers();
  }

  get #exists(): boolean {
    this.load();
    return this.#present!;
  }

  created(prefix: string, id: string): void {
    if (!this.#exists) {
      this.#sql(
        `CREATE TABLE IF NOT EXISTS sockjs_sessions (
          prefix TEXT NOT NULL, id TEXT NOT NULL, lost_at INTEGER, PRIMARY KEY (prefix, id)
        )`,
      );
      this.#present = true;
    }
    this.#sql('INSERT OR REPLACE INTO sockjs_sessions (prefix, id, lost_at) VALUES (?, ?, NULL)', prefix, id);
  }

  destroyed(prefix: string, id: string): void {
    if (this.#exists) this.#sql('DELETE FROM sockjs_sessions WHERE prefix = ? AND id = ?', prefix, id);
  }

  lost(prefix: string, id: string): boolean {
    return (
      this.#exists &&
      this.#sql(
        'SELECT 1 FROM sockjs_sessions WHERE prefix = ? AND id = ? AND lost_at IS NOT NULL',
        prefix,
        id,
      ).length > 0
    );
  }

  /** When the oldest remembered lost session may be forgotten, or null if none is remembered. */
  nextExpiry(): number | null {
    if (!this.#exists) return null;
    const [row] = this.#sql('SELECT MIN(lost_at) AS oldest FROM sockjs_sessions WHERE lost_at IS NOT NULL');
    const oldest = row?.oldest;
    return typeof oldest === 'number' ? oldest + LOST_RETENTION_MS : null;
  }

  /** Forgets lost sessions past their retention. */
  sweep(now = Date.now()): void {
    if (this.#exists) this.#sql('DELETE FROM sockjs_sessions WHERE lost_at < ?', now - LOST_RETENTION_MS);
  }

  /** No row at all: no session open here, none lost and remembered. */
  isEmpty(): boolean {
    return !this.#exists || this.#sql('SELECT 1 FROM sockjs_sessions LIMIT 1').length === 0;
  }

  /** Empties the object's storage (table and alarm) so that it leaves nothing behind. */
  async release(): Promise<void> {
    this.#present = false;
    await this.#storage.deleteAll();
  }

  #sql(query: string, ...bindings: unknown[]): Record<string, unknown>[] {
    return this.#storage.sql.exec(query, ...bindings).toArray();
  }
}

/** One service's view of the table. */
export class SqliteSessionStore implements SessionStore {
  readonly #table: SessionTable;
  readonly #prefix: string;
  readonly #onDestroyed: () => void;

  /** `onDestroyed` runs after a session's row is gone (the object may now hold nothing). */
  constructor(table: SessionTable, prefix: string, onDestroyed: () => void) {
    this.#table = table;
    this.#prefix = prefix;
    this.#onDestroyed = onDestroyed;
  }

  created(sessionId: string): void {
    this.#table.created(this.#prefix, sessionId);
  }

  destroyed(sessionId: string): void {
    this.#table.destroyed(this.#prefix, sessionId);
    this.#onDestroyed();
  }

  lost(sessionId: string): CloseInfo | null {
    return this.#table.lost(this.#prefix, sessionId) ? SESSION_LOST : null;
  }
}
