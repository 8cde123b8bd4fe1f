/**
 * Per-session deadlines (heartbeats, disconnect timeouts) served by one timer per kind and
 * server, instead of a timer per session. Every deadline of one queue lies the same delay after
 * it was set, so keeping them in the order they were set keeps them in the order they fall due:
 * a `Map` does both (re-setting moves an entry to the end), and only its first entry needs a
 * timer. A session then costs a `Map` entry where it cost a timer and a closure (about 300
 * bytes on Node), and setting or clearing one is a `Map` operation rather than a timer's.
 */
export class DeadlineQueue<T> {
  readonly #delay: number;
  readonly #expire: (item: T) => void;
  readonly #background: boolean;
  /** Item -> when it falls due (`Date.now()`, which tests can mock), in the order they were set. */
  readonly #due = new Map<T, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The queue emptied while its timer ran: the timer was kept, unref'd (see `delete`). */
  #parked = false;
  /** While expiring: the timer is re-armed (or not) once that is done. */
  #firing = false;

  /**
   * `expire` is called once for each item whose deadline passed, after it left the queue.
   * A `background` queue's timer never keeps a process alive by itself (where timers can
   * `unref`: Node, Bun).
   */
  constructor(delay: number, expire: (item: T) => void, background: boolean) {
    this.#delay = delay;
    this.#expire = expire;
    this.#background = background;
  }

  /** (Re)starts `item`'s deadline: it expires `delay` ms from now unless set again or deleted. */
  set(item: T): void {
    const now = Date.now();
    this.#due.delete(item);
    this.#due.set(item, now + this.#delay);
    if (this.#timer === undefined) {
      if (!this.#firing) this.#arm(this.#delay);
    } else if (this.#parked) {
      // The kept timer falls due no later than this item: when it fires, it re-arms for the rest.
      this.#parked = false;
      if (!this.#background) (this.#timer as { ref?: () => void }).ref?.();
    }
  }

  delete(item: T): void {
    if (!this.#due.delete(item) || this.#due.size > 0 || this.#firing) return;
    // Nothing left: the timer must not keep a stopped server's process alive. Where timers can be
    // unref'd (Node, Deno, Bun) it is kept, unref'd, for the next `set`: a queue that empties
    // between requests (a body's deadline, set and deleted per xhr_send) would otherwise create
    // and cancel a timer per request. It fires once more at most, finding nothing due.
    const timer = this.#timer as { unref?: () => void } | undefined;
    if (typeof timer?.unref === 'function') {
      timer.unref();
      this.#parked = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delay: number): void {
    const timer = setTimeout(this.#fire, delay);
    if (this.#background) (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }

  /** Expires what is due, then waits for the first deadline left (also if an `expire` threw). */
  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#parked = false;
    this.#firing = true;
    try {
      const now = Date.now();
      for (const [item, due] of this.#due) {
        if (due > now) break;
        this.#due.delete(item);
        this.#expire(item);
      }
    } finally {
      this.#firing = false;
      const first = this.#due.values().next();
      // Date.now() counts whole milliseconds: a deadline is never met early by more than one.
      if (!first.done) this.#arm(Math.max(1, Math.ceil(first.value - Date.now())));
    }
  };
}

/** Callback deadlines of one delay, one queue per delay (a server's `bodyTimeout`): see `deadlinesOf`. */
const callbackQueues = new Map<number, DeadlineQueue<() => void>>();

/**
 * The process-wide queue of `() => void` deadlines that fall `ms` after they are set: each is
 * called once when due unless deleted first. For short-lived deadlines set per request (a body's
 * read), where a timer per request costs a timer's creation and cancellation each time. Bounded:
 * one queue per distinct delay, and delays come from server options.
 */
export function deadlinesOf(ms: number): DeadlineQueue<() => void> {
  let queue = callbackQueues.get(ms);
  if (queue === undefined) {
    // Not a background queue: a pending read keeps the process alive, as its own timer did (the
    // queue holds no timer once empty, so an idle server's process may still exit).
    queue = new DeadlineQueue<() => void>(ms, (fire) => fire(), false);
    callbackQueues.set(ms, queue);
  }
  return queue;
}
