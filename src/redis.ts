/**
 * `sockjs-fetch/redis`: a `TopicBroker` over Redis pub/sub, on the `redis` package (node-redis,
 * an optional peer dependency that nothing else in sockjs-fetch loads). Runs on Node, Deno and Bun.
 *
 *   const broker = await createRedisBroker({ url: process.env.REDIS_URL });
 *   const server = new SockJSServer({ prefix: '/chat', broker });
 *
 * One Redis channel per topic (`sockjs:topic:<topic>`): an instance SUBSCRIBEs only the topics
 * its connections subscribed to, so Redis does the filtering and an instance never receives (or
 * parses) messages nobody there wants. The price is one Redis subscription per topic per
 * instance, cheap for Redis (a hash table entry), and a SUBSCRIBE when a topic gets its first
 * local subscriber. (One shared channel would send every message to every instance.)
 *
 * Each message is JSON `{origin, seq, topic, data}`: `origin` names the publishing broker, which
 * drops its own messages (the core already delivered them locally); `seq` counts that origin's
 * publishes per topic, so a receiver that sees it jump reports the messages it missed as a `gap`.
 * Redis pub/sub is at-most-once: what is published while an instance is cut off from Redis is
 * lost for it, and said so.
 *
 * A hung Redis (connection open, no answers) is bounded: a publish rejects after `publishTimeout`,
 * at most `maxPendingPublishes` wait for Redis, and the broker's own connections PING and are
 * dropped and reconnected after `publishTimeout` without traffic (node-redis alone never notices).
 */
import { createClient } from 'redis';
import type { AddListenerOptions, Listener, ListenerOptions } from './events.ts';
import type { TopicBroker, TopicDelivery } from './topics.ts';

/** What the broker uses of a node-redis client (v5 or v6). */
export interface RedisClient {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  /** The options it was made with (the subscriber copies its socket options). */
  readonly options?: { readonly socket?: object } | undefined;
  connect(): Promise<unknown>;
  duplicate(overrides?: Record<string, unknown>): RedisClient;
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  unsubscribe(channel: string, listener?: (message: string, channel: string) => void): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  close(): Promise<unknown>;
  destroy(): unknown;
}

/** Where the broker connects. */
export type RedisBrokerConnection =
  /** A Redis URL (`redis://host:port`): the broker makes and owns its two connections. */
  | { url: string; client?: undefined }
  /**
   * Your own node-redis client: the broker publishes on it and subscribes on a `duplicate()`
   * (a subscribed connection can do nothing else); `close()` leaves your client open.
   */
  | { client: RedisClient; url?: undefined };

export type RedisBrokerOptions = RedisBrokerConnection & RedisBrokerLimits;

export interface RedisBrokerLimits {
  /**
   * Ms a publish waits for Redis to acknowledge it before it rejects (default 5000). Also how
   * long the broker's own connections may go without traffic before they are dropped and
   * reconnected (a hung Redis); they PING every half of it.
   */
  publishTimeout?: number;
  /**
   * Publishes sent and not yet answered by Redis (timed out ones included, as node-redis holds
   * them until Redis answers or the connection drops); beyond it a publish rejects at once
   * (default 1000).
   */
  maxPendingPublishes?: number;
}

const DEFAULT_PUBLISH_TIMEOUT = 5000;
const DEFAULT_MAX_PENDING_PUBLISHES = 1000;

/** Where channels for topics live; a topic `t` is published on `sockjs:topic:t`. */
const CHANNEL_PREFIX = 'sockjs:topic:';

/**
 * Publishers remembered per topic (each instance start is a new origin). The one heard from
 * least recently is forgotten beyond this; if it speaks again, its next message starts afresh
 * (no gap can be told for it then).
 */
const MAX_ORIGINS_PER_TOPIC = 1024;

/** `error`: a Redis connection error, or a failed publish. */
export class RedisBrokerErrorEvent extends Event {
  readonly error: Error;
  constructor(error: Error) {
    super('error');
    this.error = error;
  }
}

/**
 * `gap`: messages of `topic` that this instance knows it did not get.
 * - `reason: 'sequence'`: the next message from `origin` showed that `missed` of its messages
 *   never arrived (published while Redis or this instance's subscription was down, or cut by
 *   Redis' output buffer limit).
 * - `reason: 'outage'`: the subscription was down from `since` until now (`origin` and `missed`
 *   null): whatever was published then is lost here. The `sequence` gaps that follow count it
 *   for every origin that publishes again.
 */
export class TopicGapEvent extends Event {
  readonly topic: string;
  readonly reason: 'sequence' | 'outage';
  readonly origin: string | null;
  readonly missed: number | null;
  /** When the outage began (ms since the epoch); null for a `sequence` gap. */
  readonly since: number | null;
  constructor(init: Pick<TopicGapEvent, 'topic' | 'reason' | 'origin' | 'missed' | 'since'>) {
    super('gap');
    this.topic = init.topic;
    this.reason = init.reason;
    this.origin = init.origin;
    this.missed = init.missed;
    this.since = init.since;
  }
}

export interface RedisTopicBrokerEventMap {
  error: RedisBrokerErrorEvent;
  gap: TopicGapEvent;
  /** The subscription connection is back after an outage and every topic is subscribed again. */
  reconnect: Event;
}

interface WireMessage {
  origin: string;
  seq: number;
  topic: string;
  data: string;
}

function parseWire(text: string): WireMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { origin, seq, topic, data } = value as Record<string, unknown>;
  if (typeof origin !== 'string' || typeof topic !== 'string' || typeof data !== 'string') return null;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;
  return { origin, seq, topic, data };
}

const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

// Typed listeners, as on the DOM's EventTarget subclasses.
export interface RedisTopicBroker {
  addEventListener<K extends keyof RedisTopicBrokerEventMap>(
    type: K,
    listener: (this: RedisTopicBroker, event: RedisTopicBrokerEventMap[K]) => void,
    options?: boolean | AddListenerOptions,
  ): void;
  addEventListener(type: string, listener: Listener | null, options?: boolean | AddListenerOptions): void;
  removeEventListener<K extends keyof RedisTopicBrokerEventMap>(
    type: K,
    listener: (this: RedisTopicBroker, event: RedisTopicBrokerEventMap[K]) => void,
    options?: boolean | ListenerOptions,
  ): void;
  removeEventListener(type: string, listener: Listener | null, options?: boolean | ListenerOptions): void;
}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class RedisTopicBroker extends EventTarget implements TopicBroker {
  /** This broker's name on the wire; its own messages coming back are dropped by it. */
  readonly origin: string = crypto.randomUUID();

  readonly #publisher: RedisClient;
  readonly #subscriber: RedisClient;
  /** Whether `close()` also closes the publisher (made from a URL, not the caller's). */
  readonly #ownsPublisher: boolean;
  #deliver: TopicDelivery | null = null;
  /** Topics wanted here, and whether Redis has confirmed the subscription (`active`). */
  readonly #topics = new Map<string, 'subscribing' | 'active'>();
  /**
   * Topics given up while the connection was down: node-redis still holds their subscriptions
   * and restores them on reconnect, so they are unsubscribed then.
   */
  readonly #stale = new Set<string>();
  /** Per topic, the last `seq` seen from each origin. */
  readonly #lastSeq = new Map<string, Map<string, number>>();
  /** Per topic, the last `seq` this broker published. */
  readonly #published = new Map<string, number>();
  /** When the subscription connection went down; null while it is up. */
  #downSince: number | null = null;
  #closed = false;
  readonly #publishTimeout: number;
  readonly #maxPendingPublishes: number;
  #pendingPublishes = 0;

  /** Use `createRedisBroker`. */
  constructor(
    publisher: RedisClient,
    subscriber: RedisClient,
    ownsPublisher: boolean,
    limits: Required<RedisBrokerLimits>,
  ) {
    super();
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#ownsPublisher = ownsPublisher;
    this.#publishTimeout = limits.publishTimeout;
    this.#maxPendingPublishes = limits.maxPendingPublishes;
    subscriber.on('error', this.#report);
    subscriber.on('reconnecting', this.#onDown);
    subscriber.on('ready', this.#onReady);
    if (ownsPublisher) publisher.on('error', this.#report);
  }

  /** Publishes sent to Redis and not answered yet (at most `maxPendingPublishes`). */
  get pendingPublishes(): number {
    return this.#pendingPublishes;
  }

  attach(deliver: TopicDelivery): void {
    if (this.#deliver !== null) throw new Error('This Redis broker already serves a topic registry');
    this.#deliver = deliver;
  }

  subscribe(topic: string): void {
    if (this.#closed || this.#topics.has(topic)) return;
    if (this.#stale.delete(topic)) {
      this.#topics.set(topic, 'active');
      return;
    }
    this.#topics.set(topic, 'subscribing');
    this.#sendSubscribe(topic);
  }

  unsubscribe(topic: string): void {
    const state = this.#topics.get(topic);
    if (state === undefined) return;
    this.#topics.delete(topic);
    this.#lastSeq.delete(topic);
    // A subscription still on its way is undone when Redis confirms it (`#sendSubscribe`).
    if (state !== 'active') return;
    if (this.#subscriber.isReady) this.#sendUnsubscribe(topic);
    else this.#stale.add(topic);
  }

  async publish(topic: string, data: string): Promise<void> {
    if (this.#closed) throw new Error('The Redis broker is closed');
    // Taken before trying, so a publish that fails still shows as a gap on the receivers.
    const seq = (this.#published.get(topic) ?? 0) + 1;
    this.#published.set(topic, seq);
    try {
      // Never queued for later: a publish Redis does not take now is reported now.
      if (!this.#publisher.isReady) throw new Error('Redis is unreachable');
      // A hung Redis (alive connection, no answers) would otherwise collect publishes forever.
      if (this.#pendingPublishes >= this.#maxPendingPublishes) {
        throw new Error(
          `Redis has not answered the last ${this.#pendingPublishes} publishes (maxPendingPublishes)`,
        );
      }
      const reply = this.#publisher.publish(
        CHANNEL_PREFIX + topic,
        JSON.stringify({ origin: this.origin, seq, topic, data } satisfies WireMessage),
      );
      // Counted until node-redis lets go of it, which may be after the timeout below.
      this.#pendingPublishes++;
      void reply.then(this.#publishSettled, this.#publishSettled);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis did not answer within ${this.#publishTimeout} ms`)),
          this.#publishTimeout,
        );
      });
      try {
        await Promise.race([reply, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (cause) {
      const error = new Error(`Could not publish to topic "${topic}": ${asError(cause).message}`, { cause });
      this.dispatchEvent(new RedisBrokerErrorEvent(error));
      throw error;
    }
  }

  readonly #publishSettled = (): void => {
    this.#pendingPublishes--;
  };

  /** Unsubscribes and closes the broker's connections (not a client you passed in). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#topics.clear();
    this.#subscriber.off('reconnecting', this.#onDown);
    this.#subscriber.off('ready', this.#onReady);
    await Promise.all([
      closeClient(this.#subscriber, this.#publishTimeout),
      this.#ownsPublisher ? closeClient(this.#publisher, this.#publishTimeout) : undefined,
    ]);
    this.#subscriber.off('error', this.#report);
    if (this.#ownsPublisher) this.#publisher.off('error', this.#report);
  }

  #sendSubscribe(topic: string): Promise<void> {
    return this.#subscriber.subscribe(CHANNEL_PREFIX + topic, this.#onMessage).then(
      () => {
        if (this.#topics.get(topic) === 'subscribing') {
          this.#topics.set(topic, 'active');
        } else if (!this.#topics.has(topic) && !this.#closed) {
          this.#sendUnsubscribe(topic);
        }
      },
      (error: unknown) => {
        // Cut off mid-way: `#onReady` subscribes again once Redis is back.
        if (this.#topics.get(topic) === 'subscribing') this.#report(error);
      },
    );
  }

  #sendUnsubscribe(topic: string): void {
    this.#subscriber.unsubscribe(CHANNEL_PREFIX + topic, this.#onMessage).catch(this.#report);
  }

  readonly #onMessage = (text: string, channel: string): void => {
    const message = parseWire(text);
    const topic = channel.slice(CHANNEL_PREFIX.length);
    // Someone else's traffic on our channel, or our own publish coming back: not delivered.
    if (message === null || message.topic !== topic || message.origin === this.origin) return;
    if (!this.#topics.has(topic)) return;
    let origins = this.#lastSeq.get(topic);
    if (origins === undefined) {
      origins = new Map();
      this.#lastSeq.set(topic, origins);
    }
    const last = origins.get(message.origin);
    if (last !== undefined && message.seq <= last) return; // never twice, never backwards
    // Delete first, so the map stays in order of last message and the first entry is the stalest.
    origins.delete(message.origin);
    origins.set(message.origin, message.seq);
    if (origins.size > MAX_ORIGINS_PER_TOPIC) origins.delete(origins.keys().next().value!);
    if (last !== undefined && message.seq > last + 1) {
      this.dispatchEvent(
        new TopicGapEvent({
          topic,
          reason: 'sequence',
          origin: message.origin,
          missed: message.seq - last - 1,
          since: null,
        }),
      );
    }
    this.#deliver?.(topic, message.data);
  };

  readonly #onDown = (): void => {
    this.#downSince ??= Date.now();
  };

  readonly #onReady = (): void => {
    const since = this.#downSince;
    if (since === null || this.#closed) return;
    this.#downSince = null;
    // node-redis has re-sent SUBSCRIBE for every confirmed topic before `ready`; the ones that
    // were on their way when the connection dropped are sent again here.
    const pending = [...this.#topics].filter(([, state]) => state === 'subscribing').map(([topic]) => topic);
    for (const topic of this.#stale) this.#sendUnsubscribe(topic);
    this.#stale.clear();
    void Promise.all(pending.map((topic) => this.#sendSubscribe(topic))).then(() => {
      if (this.#closed) return;
      for (const topic of this.#topics.keys()) {
        this.dispatchEvent(new TopicGapEvent({ topic, reason: 'outage', origin: null, missed: null, since }));
      }
      this.dispatchEvent(new Event('reconnect'));
    });
  };

  readonly #report = (error: unknown): void => {
    this.dispatchEvent(new RedisBrokerErrorEvent(asError(error)));
  };
}

/** Closes gracefully if Redis answers within `timeoutMs`, else cuts the connection. */
async function closeClient(client: RedisClient, timeoutMs: number): Promise<void> {
  if (!client.isOpen) return;
  // A graceful close waits for replies a dead or hung server will never send.
  if (client.isReady) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([client.close().catch(() => {}), cut]);
    clearTimeout(timer);
  }
  if (client.isOpen) client.destroy();
}

/**
 * node-redis' default backoff (50 ms doubling up to 2 s, plus up to 200 ms jitter), except that
 * it also reconnects after a socket timeout (a hung Redis), which the default gives up on.
 */
const reconnectDelay = (retries: number): number =>
  Math.min(2 ** retries * 50, 2000) + Math.floor(Math.random() * 200);

/**
 * Options for the broker's own connections: without them node-redis never notices a hung Redis
 * (a command it has written waits for its answer forever, PINGs included), so each connection
 * PINGs and is dropped after `publishTimeout` ms without traffic, then reconnects.
 */
function hangDetection(publishTimeout: number, socket: object | undefined) {
  return {
    pingInterval: Math.max(1, Math.floor(publishTimeout / 2)),
    socket: { ...socket, socketTimeout: publishTimeout, reconnectStrategy: reconnectDelay },
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}

/**
 * A broker over Redis pub/sub, connected (it resolves once both its connections are ready).
 * Listen for `error` (connection errors, failed publishes), `gap` (messages known lost) and
 * `reconnect` (subscriptions restored after an outage).
 */
export async function createRedisBroker(options: RedisBrokerOptions): Promise<RedisTopicBroker> {
  const limits: Required<RedisBrokerLimits> = {
    publishTimeout: positive('publishTimeout', options.publishTimeout, DEFAULT_PUBLISH_TIMEOUT),
    maxPendingPublishes: Math.floor(
      positive('maxPendingPublishes', options.maxPendingPublishes, DEFAULT_MAX_PENDING_PUBLISHES),
    ),
  };
  let publisher: RedisClient;
  const ownsPublisher = options.client === undefined;
  if (options.client !== undefined) {
    publisher = options.client;
  } else if (typeof options.url === 'string') {
    // No offline queue: a publish while Redis is unreachable fails instead of waiting to be
    // sent (and lost) later.
    publisher = createClient({
      url: options.url,
      disableOfflineQueue: true,
      ...hangDetection(limits.publishTimeout, undefined),
    });
  } else {
    throw new TypeError('createRedisBroker needs { url } or { client }');
  }
  // node-redis needs an `error` listener from the start, or an error ends the process.
  const early = (): void => {};
  publisher.on('error', early);
  // After a reconnect node-redis restores the confirmed subscriptions by itself; the broker
  // re-sends those cut off on their way (`#onReady`).
  // Your client's socket options are kept; hang detection is the broker's on its own connection.
  const subscriber = publisher.duplicate(hangDetection(limits.publishTimeout, publisher.options?.socket));
  subscriber.on('error', early);
  try {
    if (!publisher.isOpen) await publisher.connect();
    await subscriber.connect();
  } catch (error) {
    if (ownsPublisher) publisher.destroy();
    subscriber.destroy();
    throw error;
  } finally {
    publisher.off('error', early);
    subscriber.off('error', early);
  }
  return new RedisTopicBroker(publisher, subscriber, ownsPublisher, limits);
}
