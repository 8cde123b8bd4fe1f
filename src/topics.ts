/**
 * Topics: publish/subscribe over the connections of every transport (README, Topics).
 *
 * A `TopicRegistry` knows which local connections are subscribed to which topic and delivers a
 * published message to them at once, encoded once for all of them. A `TopicBroker` carries
 * messages between instances (processes, machines); the registry tells it which topics this
 * instance needs. Servers given the same broker share one registry, so topics are per broker.
 */
import { connectionHooks, type SockJSConnection } from './connection.ts';
import { SharedMessage } from './protocol/frames.ts';

/** Where a broker hands the messages other instances published. */
export type TopicDelivery = (topic: string, data: string) => void;

/**
 * Carries published messages between instances. The core delivers to this instance's own
 * subscribers itself, so a broker only moves messages to and from the others, and must not hand
 * this instance's own publishes back to `deliver` (they would arrive twice).
 *
 * Implement it to connect instances over something else (Redis: `sockjs-fetch/redis`).
 */
export interface TopicBroker {
  /**
   * Called once, by the first server given this broker: from then on, messages that other
   * instances publish to the topics subscribed here go to `deliver`, each once, in the order
   * each publisher published them.
   */
  attach(deliver: TopicDelivery): void;
  /**
   * This instance has its first subscriber of `topic`: start receiving it. Returns at once; a
   * broker that cannot subscribe yet keeps trying and reports failures itself (events, logs).
   */
  subscribe(topic: string): void;
  /** The last subscriber of `topic` here has gone: stop receiving it. */
  unsubscribe(topic: string): void;
  /**
   * Sends a message to the other instances. Resolves when the broker has accepted it; rejects
   * with an Error when it cannot (the connection to the other instances is down).
   */
  publish(topic: string, data: string): Promise<void>;
}

/** The default broker: no other instances, so topics reach this process's connections only. */
export class InMemoryTopicBroker implements TopicBroker {
  attach(): void {}
  subscribe(): void {}
  unsubscribe(): void {}
  publish(): Promise<void> {
    return Promise.resolve();
  }
}

export class TopicRegistry {
  readonly broker: TopicBroker;
  readonly #subscribers = new Map<string, Set<SockJSConnection>>();

  constructor(broker: TopicBroker) {
    this.broker = broker;
    broker.attach((topic, data) => this.deliver(topic, data));
  }

  add(connection: SockJSConnection, topic: string): void {
    let subscribers = this.#subscribers.get(topic);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.#subscribers.set(topic, subscribers);
      this.broker.subscribe(topic);
    }
    subscribers.add(connection);
  }

  remove(connection: SockJSConnection, topic: string): void {
    const subscribers = this.#subscribers.get(topic);
    if (subscribers === undefined || !subscribers.delete(connection) || subscribers.size > 0) return;
    this.#subscribers.delete(topic);
    this.broker.unsubscribe(topic);
  }

  /**
   * Queues `data` on every local subscriber of `topic` but `exclude`, encoded once for all.
   * Returns how many connections took it.
   */
  deliver(topic: string, data: string, exclude?: SockJSConnection): number {
    const subscribers = this.#subscribers.get(topic);
    if (subscribers === undefined) return 0;
    const message = new SharedMessage(data);
    let delivered = 0;
    // A send may close its connection (queue full), which unsubscribes it: deleting from a Set
    // while iterating it is safe.
    for (const connection of subscribers) {
      if (connection !== exclude && connectionHooks.sendShared(connection, message)) delivered++;
    }
    return delivered;
  }
}

const registries = new WeakMap<TopicBroker, TopicRegistry>();

/** The registry of every server given `broker`. */
export function topicRegistry(broker: TopicBroker): TopicRegistry {
  let registry = registries.get(broker);
  if (registry === undefined) {
    registry = new TopicRegistry(broker);
    registries.set(broker, registry);
  }
  return registry;
}

/** Topics are application strings: any non-empty string. */
export function assertTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || topic === '') {
    throw new TypeError(
      `A topic must be a non-empty string (got ${typeof topic === 'string' ? '""' : typeof topic})`,
    );
  }
}
