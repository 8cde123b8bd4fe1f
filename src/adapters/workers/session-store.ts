/**
 * Records HTTP-transport sessions in the Durable Object's SQLite storage. Sessions live in
 * memory (an object holding one is never idle, so never hibernates); a row that outlives its
 * instance means the object was restarted under a session, and a client that comes back to it
 * is told with a close frame instead of silently getting a fresh session.
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
const LOST_RETENTION_MS = 10 * 60 * 1000;

export class SqliteSessionStore implements SessionStore {
  readonly #sql: DurableObjectState['storage']['sql'];
  readonly #prefix: string;

  constructor(storage: DurableObjectState['storage'], prefix: string) {
    this.#sql = storage.sql;
    this.#prefix = prefix;
  }

  /** Creates the table and marks every session of a previous instance as lost. Once per instance. */
  static open(storage: DurableObjectState['storage']): void {
    const now = Date.now();
    storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS sockjs_sessions (
        prefix TEXT NOT NULL, id TEXT NOT NULL, lost_at INTEGER, PRIMARY KEY (prefix, id)
      )`,
    );
    storage.sql.exec('UPDATE sockjs_sessions SET lost_at = ? WHERE lost_at IS NULL', now);
    storage.sql.exec('DELETE FROM sockjs_sessions WHERE lost_at < ?', now - LOST_RETENTION_MS);
  }

  created(sessionId: string): void {
    this.#sql.exec(
      'INSERT OR REPLACE INTO sockjs_sessions (prefix, id, lost_at) VALUES (?, ?, NULL)',
      this.#prefix,
      sessionId,
    );
  }

  destroyed(sessionId: string): void {
    this.#sql.exec('DELETE FROM sockjs_sessions WHERE prefix = ? AND id = ?', this.#prefix, sessionId);
  }

  lost(sessionId: string): CloseInfo | null {
    const rows = this.#sql
      .exec(
        'SELECT 1 FROM sockjs_sessions WHERE prefix = ? AND id = ? AND lost_at IS NOT NULL',
        this.#prefix,
        sessionId,
      )
      .toArray();
    return rows.length > 0 ? SESSION_LOST : null;
  }
}
