/**
 * workerd's WebSocket has no `bufferedAmount` (verified on workerd 1.20260426 at compatibility
 * date 2026-04-20: the property does not exist, and `send` neither throws nor blocks however much
 * is queued for a client that never reads). The runtime keeps every queued byte in memory.
 *
 * So the adapter reports an estimate instead: bytes sent minus what a client reading at
 * `bytesPerSecond` would have taken since (a leaky bucket). The core holds messages back in the
 * session's bounded queue once the estimate passes its 1 MiB high-water mark, and closes the
 * session with `c[1013,"Message queue full"]` when that queue overflows: a connection can make
 * the runtime buffer at most about 1 MiB plus `bytesPerSecond` per second it stays open.
 */

/** Default sustained rate a Workers WebSocket may be sent at: 1 MiB/s. */
export const DEFAULT_WEBSOCKET_BYTES_PER_SECOND = 1024 * 1024;

export class SendBudget {
  readonly #bytesPerSecond: number;
  #level = 0;
  #updatedAt = Date.now();

  constructor(bytesPerSecond: number) {
    this.#bytesPerSecond = bytesPerSecond;
  }

  /** Counts a message sent (UTF-16 length: bytes for ASCII, the usual frame content). */
  spend(length: number): void {
    this.#drain();
    this.#level += length;
  }

  /** Bytes assumed still queued for the client. */
  get buffered(): number {
    this.#drain();
    return this.#level;
  }

  #drain(): void {
    const now = Date.now();
    this.#level = Math.max(0, this.#level - ((now - this.#updatedAt) * this.#bytesPerSecond) / 1000);
    this.#updatedAt = now;
  }
}
