/**
 * Topics across Durable Objects (README, Workers: topics across objects).
 *
 * Every topic has an object of its own (same class and binding as the session objects, named
 * `topic:<topic>`). It keeps in SQLite the ids of the objects with subscribers of the topic,
 * numbers each publish (an epoch, new whenever the topic is re-created, and a seq) and sends it
 * to every subscribed object but the publisher, one request per object. A session object
 * subscribes when its first connection subscribes to a topic and unsubscribes when its last one
 * leaves; it remembers (SQLite) which topic objects list it, so a woken instance does not
 * subscribe again, and a restarted one that lost its HTTP sessions leaves their topics.
 *
 * Order: from one object to another there is never more than one request in flight; what is
 * queued meanwhile goes in the next request (`Outbox`). So messages arrive in the order each
 * object published them, and a burst costs few requests. A receiver drops a seq it has already
 * seen and logs the size of a jump (a delivery that failed).
 */
import type { SockJSConnection } from '../../connection.ts';
import type { Logger } from '../../options.ts';
import type { SockJSServer } from '../../server.ts';
import { assertTopic, type TopicBroker, type TopicDelivery, topicRegistry } from '../../topics.ts';
import type {
  DurableObjectNamespace,
  DurableObjectState,
  DurableObjectStub,
  WorkersWebSocket,
} from './platform.ts';

/**
 * Path of the requests objects send each other. Never a SockJS route of any prefix (session
 * and server ids cannot contain dots, and it has two segments), so the Worker, which forwards
 * session routes only, never forwards a client's request here.
 */
const INTERNAL_PATH = '/.sockjs-topics/';
const INTERNAL_ORIGIN = 'https://sockjs-topics.internal';
/** Session objects are named `<prefix> <name>` (a prefix is empty or starts with `/`): never this. */
const TOPIC_OBJECT_PREFIX = 'topic:';

/** Most messages (and bytes of them) one request carries; the rest go in the next. */
const MAX_BATCH_ITEMS = 100;
const MAX_BATCH_BYTES = 512 * 1024;
/** Tries of a subscribe whose request fails (1 s, 4 s, 16 s apart), each failure logged. */
const SUBSCRIBE_ATTEMPTS = 4;
/** Most messages waiting for one receiver; beyond, publishes are refused (publisher) or dropped (a gap). */
const MAX_QUEUED_ITEMS = 10_000;

type Op = { op: 'subscribe' } | { op: 'unsubscribe' } | { op: 'publish'; data: string };
interface OpsBody {
  topic: string;
  /** The sending object's id; null for a Worker. */
  origin: string | null;
  ops: Op[];
}
/** What each op did: for a publish, how many objects it reached. */
interface OpsAnswer {
  results: Array<number | null>;
}
interface Delivered {
  /** Epoch of the topic object's numbering. */
  e: string;
  s: number;
  d: string;
}
interface DeliverBody {
  topic: string;
  messages: Delivered[];
}

export function isTopicRequest(url: URL): boolean {
  return url.pathname.startsWith(INTERNAL_PATH);
}

/** Whether this object is a topic object (where the runtime tells the object its name). */
export function isTopicObject(ctx: DurableObjectState): boolean {
  return ctx.id.name?.startsWith(TOPIC_OBJECT_PREFIX) ?? false;
}

function topicObject(namespace: DurableObjectNamespace, topic: string): DurableObjectStub {
  return namespace.get(namespace.idFromName(TOPIC_OBJECT_PREFIX + topic));
}

function internalRequest(kind: 'ops' | 'deliver', body: OpsBody | DeliverBody): Request {
  return new Request(`${INTERNAL_ORIGIN}${INTERNAL_PATH}${kind}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function expectOk(response: Response, what: string): Promise<Response> {
  if (!response.ok)
    throw new Error(`${what}: the object answered ${response.status} ${await response.text()}`);
  return response;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Publishes `data` to `topic` from a Worker (a webhook handler, a cron job): every connection
 * subscribed to it, in every object of `namespace` (the binding of `sockjsDurableObject`'s
 * class), receives it. Resolves with the number of objects it reached; rejects when the topic
 * object cannot be reached. Costs one request to the topic object and one per subscribed
 * object. Publishes are kept in order when each is awaited before the next.
 */
export async function publishToTopic(
  namespace: DurableObjectNamespace,
  topic: string,
  data: string,
): Promise<number> {
  assertTopic(topic);
  if (typeof namespace?.idFromName !== 'function') {
    throw new TypeError(
      'publishToTopic needs the Durable Object namespace of the SockJS objects (env.SOCKJS)',
    );
  }
  const text = typeof data === 'string' ? data : String(data);
  const body: OpsBody = { topic, origin: null, ops: [{ op: 'publish', data: text }] };
  const response = await topicObject(namespace, topic).fetch(internalRequest('ops', body));
  await expectOk(response, `publishing to topic "${topic}"`);
  const answer = (await response.json()) as OpsAnswer;
  return answer.results[0] ?? 0;
}

interface Pending<Item, Result> {
  item: Item;
  size: number;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Requests to one receiver, one at a time, in order: what is pushed while a request is in
 * flight goes in the next (up to `MAX_BATCH_*`). `send` answers one result per item.
 */
class Outbox<Item, Result> {
  readonly #send: (items: Item[]) => Promise<Result[]>;
  readonly #onIdle: () => void;
  #queue: Pending<Item, Result>[] = [];
  #sending = false;

  constructor(send: (items: Item[]) => Promise<Result[]>, onIdle: () => void) {
    this.#send = send;
    this.#onIdle = onIdle;
  }

  push(item: Item, size: number): Promise<Result> {
    if (this.#queue.length >= MAX_QUEUED_ITEMS) {
      return Promise.reject(new Error(`more than ${MAX_QUEUED_ITEMS} topic messages wait for one object`));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, size, resolve, reject });
      if (this.#sending) return;
      this.#sending = true;
      // After this turn: the pushes of the same turn go in one request.
      queueMicrotask(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      let count = 0;
      let bytes = 0;
      while (count < this.#queue.length && count < MAX_BATCH_ITEMS) {
        const size = this.#queue[count]!.size;
        if (count > 0 && bytes + size > MAX_BATCH_BYTES) break;
        bytes += size;
        count++;
      }
      const batch = this.#queue.splice(0, count);
      try {
        const results = await this.#send(batch.map((pending) => pending.item));
        for (const [i, pending] of batch.entries()) pending.resolve(results[i] as Result);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#sending = false;
    this.#onIdle();
  }
}

interface TopicState {
  epoch: string;
  seq: number;
  subscribers: Set<string>;
}

/** What the socket attachment keeps for topics: the connection's subscriptions. */
interface TopicsAttachment {
  topics?: string[];
}

/**
 * The topics of one Durable Object instance: the broker its servers share (session role), and
 * the handler of the requests a topic object receives (topic role).
 */
export class DurableObjectTopics {
  readonly broker: TopicBroker;
  readonly #ctx: DurableObjectState;
  readonly #env: unknown;
  readonly #binding: string;
  readonly #log: () => Logger;
  #deliver: TopicDelivery | null = null;

  // Session role.
  /** Topics with subscribers here (the registry tells the broker). */
  readonly #local = new Set<string>();
  /** Topics whose topic object lists this object: kept in SQLite; null until read. */
  #memberships: Set<string> | null = null;
  readonly #toTopics = new Map<string, Outbox<Op, number | null>>();
  /** The last message received per topic, to drop repeats and see gaps. */
  readonly #received = new Map<string, { epoch: string; seq: number }>();
  /** Hibernatable sockets by connection id: their attachments keep the subscriptions. */
  readonly #sockets = new Map<string, WorkersWebSocket>();
  #restoring = false;

  // Topic role.
  #topic: TopicState | null | undefined = undefined;
  readonly #toSubscribers = new Map<string, Outbox<Delivered, void>>();

  constructor(ctx: DurableObjectState, env: unknown, binding: string, log: () => Logger) {
    this.#ctx = ctx;
    this.#env = env;
    this.#binding = binding;
    this.#log = log;
    this.broker = {
      attach: (deliver) => {
        this.#deliver = deliver;
      },
      subscribe: (topic) => this.#subscribe(topic),
      unsubscribe: (topic) => this.#unsubscribe(topic),
      publish: async (topic, data) => {
        await this.#toTopic(topic, { op: 'publish', data }, data.length);
      },
    };
  }

  /**
   * Before the application's setup of a server given this broker: keeps its WebSocket
   * connections' subscriptions in their sockets' attachments, and gives them back when a
   * hibernated connection is resumed (before the application hears of it).
   */
  attachServer(server: SockJSServer): void {
    if (server.options.broker !== this.broker) return;
    topicRegistry(this.broker).onSubscriptionsChange = (connection) => this.#saveSubscriptions(connection);
    server.addEventListener('connection', ({ connection, resumed }) => {
      const ws = this.#sockets.get(connection.id);
      if (ws === undefined) return;
      connection.addEventListener('close', () => this.#sockets.delete(connection.id));
      if (!resumed) return;
      const topics = (ws.deserializeAttachment() as TopicsAttachment | null)?.topics ?? [];
      this.#restoring = true;
      try {
        for (const topic of topics) connection.subscribe(topic);
      } finally {
        this.#restoring = false;
      }
    });
  }

  /** A hibernatable socket, before its connection opens or resumes. */
  socket(connectionId: string, ws: WorkersWebSocket): void {
    this.#sockets.set(connectionId, ws);
  }

  /**
   * Once a new instance has resumed its sockets (at its first event that reads storage, see
   * `SockJSDurableObject#readStorage`): topic objects that list this one for topics no
   * connection here holds (HTTP sessions lost in a restart) are left.
   */
  woken(): void {
    for (const topic of this.#membershipSet()) {
      if (!this.#local.has(topic)) this.#leave(topic);
    }
  }

  /** The requests objects send each other. */
  async handle(request: Request): Promise<Response> {
    const kind = new URL(request.url).pathname.slice(INTERNAL_PATH.length);
    if (request.method !== 'POST') return new Response(null, { status: 405 });
    if (kind === 'ops') return Response.json(await this.#onOps((await request.json()) as OpsBody));
    if (kind === 'deliver') {
      this.#onDeliver((await request.json()) as DeliverBody);
      return new Response(null, { status: 204 });
    }
    return new Response(null, { status: 404 });
  }

  // --- Session role ---

  #subscribe(topic: string, attempt = 1): void {
    this.#local.add(topic);
    if (this.#membershipSet().has(topic)) return;
    this.#received.delete(topic);
    this.#setMembership(topic, true);
    this.#toTopic(topic, { op: 'subscribe' }, 0).catch((error) => {
      this.#setMembership(topic, false);
      const retry = attempt < SUBSCRIBE_ATTEMPTS;
      this.#log()(
        'error',
        `subscribing to topic "${topic}" failed (${describe(error)}): its messages from other objects do not reach this one's subscribers${retry ? '; trying again' : ''}`,
      );
      if (!retry) return;
      setTimeout(
        () => {
          if (this.#local.has(topic)) this.#subscribe(topic, attempt + 1);
        },
        250 * 4 ** attempt,
      );
    });
  }

  #unsubscribe(topic: string): void {
    this.#local.delete(topic);
    if (this.#membershipSet().has(topic)) this.#leave(topic);
  }

  #leave(topic: string): void {
    this.#received.delete(topic);
    this.#setMembership(topic, false);
    this.#toTopic(topic, { op: 'unsubscribe' }, 0).catch((error) => {
      // The topic object's next delivery here is answered by another unsubscribe.
      this.#log()('error', `unsubscribing from topic "${topic}" failed: ${describe(error)}`);
    });
  }

  #onDeliver({ topic, messages }: DeliverBody): void {
    if (!this.#local.has(topic)) {
      // Nobody here wants it (a lost unsubscribe, or sessions lost in a restart).
      this.#leave(topic);
      return;
    }
    let last = this.#received.get(topic);
    for (const message of messages) {
      if (last !== undefined && last.epoch === message.e) {
        if (message.s <= last.seq) continue; // seen already
        if (message.s > last.seq + 1) {
          this.#log()(
            'error',
            `topic "${topic}": ${message.s - last.seq - 1} message(s) lost before #${message.s} (a failed delivery)`,
          );
        }
      }
      last = { epoch: message.e, seq: message.s };
      this.#deliver?.(topic, message.d);
    }
    if (last !== undefined) this.#received.set(topic, last);
  }

  #toTopic(topic: string, op: Op, size: number): Promise<number | null> {
    let outbox = this.#toTopics.get(topic);
    if (outbox === undefined) {
      let stub: DurableObjectStub;
      try {
        stub = topicObject(this.#namespace(), topic);
      } catch (error) {
        return Promise.reject(error);
      }
      const origin = this.#ctx.id.toString();
      outbox = new Outbox(
        async (ops) => {
          const response = await stub.fetch(internalRequest('ops', { topic, origin, ops }));
          await expectOk(response, `topic "${topic}"`);
          return ((await response.json()) as OpsAnswer).results;
        },
        () => {
          if (!this.#local.has(topic)) this.#toTopics.delete(topic);
        },
      );
      this.#toTopics.set(topic, outbox);
    }
    return outbox.push(op, size);
  }

  #namespace(): DurableObjectNamespace {
    const namespace = (this.#env as Record<string, DurableObjectNamespace | undefined>)[this.#binding];
    if (namespace === undefined || typeof namespace.idFromName !== 'function') {
      throw new Error(
        `Durable Object binding "${this.#binding}" is missing from env: topics cannot reach other objects (see sockjsDurableObject's binding option)`,
      );
    }
    return namespace;
  }

  #membershipSet(): Set<string> {
    if (this.#memberships === null) {
      this.#memberships = new Set(
        this.#tableExists('sockjs_topic_memberships')
          ? this.#sql('SELECT topic FROM sockjs_topic_memberships').map((row) => String(row.topic))
          : [],
      );
    }
    return this.#memberships;
  }

  /** One row per topic object that lists this one; no table when there are none. */
  #setMembership(topic: string, member: boolean): void {
    const memberships = this.#membershipSet();
    if (member === memberships.has(topic)) return;
    if (member) {
      if (memberships.size === 0) {
        this.#sql('CREATE TABLE IF NOT EXISTS sockjs_topic_memberships (topic TEXT PRIMARY KEY)');
      }
      memberships.add(topic);
      this.#sql('INSERT OR IGNORE INTO sockjs_topic_memberships (topic) VALUES (?)', topic);
    } else {
      memberships.delete(topic);
      if (memberships.size === 0) this.#sql('DROP TABLE IF EXISTS sockjs_topic_memberships');
      else this.#sql('DELETE FROM sockjs_topic_memberships WHERE topic = ?', topic);
    }
  }

  /** Subscriptions go into the socket's attachment, which survives hibernation. */
  #saveSubscriptions(connection: SockJSConnection): void {
    if (this.#restoring) return;
    const ws = this.#sockets.get(connection.id);
    if (ws === undefined) return;
    const attachment = ws.deserializeAttachment() as (TopicsAttachment & Record<string, unknown>) | null;
    if (attachment === null) return;
    const topics = [...connection.subscriptions];
    try {
      ws.serializeAttachment({ ...attachment, topics });
    } catch (error) {
      if (topics.length <= (attachment.topics?.length ?? 0)) return; // closing: nothing to keep
      throw new RangeError(
        `Cannot subscribe: a hibernatable WebSocket keeps its subscriptions in its attachment, which is full (${describe(error)})`,
      );
    }
  }

  // --- Topic role ---

  async #onOps({ topic, origin, ops }: OpsBody): Promise<OpsAnswer> {
    this.#topicState();
    let published = false;
    const results: Array<Promise<number> | number | null> = [];
    for (const op of ops) {
      if (op.op !== 'publish') {
        results.push(null);
        if (origin !== null && op.op === 'subscribe') this.#addSubscriber(origin);
        else if (origin !== null) this.#removeSubscriber(origin);
        continue;
      }
      const state = this.#topic;
      if (state === null || state === undefined) {
        results.push(0);
        continue;
      }
      published = true;
      const message: Delivered = { e: state.epoch, s: ++state.seq, d: op.data };
      const targets = [...state.subscribers].filter((id) => id !== origin);
      results.push(
        Promise.all(targets.map((id) => this.#toSubscriber(topic, id, message))).then((done) =>
          done.reduce((sum, ok) => sum + ok, 0),
        ),
      );
    }
    if (published && this.#topic) this.#sql('UPDATE sockjs_topic SET seq = ?', this.#topic.seq);
    return { results: await Promise.all(results) };
  }

  /** 1 when `message` reached the object, 0 when not (logged; the object sees a gap). */
  async #toSubscriber(topic: string, id: string, message: Delivered): Promise<number> {
    let outbox = this.#toSubscribers.get(id);
    if (outbox === undefined) {
      const namespace = this.#namespace();
      const stub = namespace.get(namespace.idFromString(id));
      outbox = new Outbox(
        async (messages) => {
          const response = await stub.fetch(internalRequest('deliver', { topic, messages }));
          await expectOk(response, `delivering topic "${topic}"`);
          return messages.map(() => undefined);
        },
        () => {
          if (!(this.#topic?.subscribers.has(id) ?? false)) this.#toSubscribers.delete(id);
        },
      );
      this.#toSubscribers.set(id, outbox);
    }
    try {
      await outbox.push(message, message.d.length);
      return 1;
    } catch (error) {
      this.#log()(
        'error',
        `topic "${topic}": message #${message.s} did not reach an object: ${describe(error)}`,
      );
      return 0;
    }
  }

  /**
   * The topic's numbering and subscribers, read from SQLite once per instance; the tables exist
   * only while the topic has subscribers (a topic object without any leaves no storage).
   */
  #topicState(): TopicState | null {
    if (this.#topic !== undefined) return this.#topic;
    this.#topic = null;
    const row = this.#tableExists('sockjs_topic')
      ? this.#sql('SELECT epoch, seq FROM sockjs_topic')[0]
      : undefined;
    if (row !== undefined) {
      const subscribers = this.#sql('SELECT object FROM sockjs_topic_subscribers').map((r) =>
        String(r.object),
      );
      this.#topic = { epoch: String(row.epoch), seq: Number(row.seq), subscribers: new Set(subscribers) };
    }
    return this.#topic;
  }

  #addSubscriber(id: string): void {
    if (this.#topic === null || this.#topic === undefined) {
      // A new epoch: receivers that knew an earlier one start counting again.
      this.#topic = { epoch: crypto.randomUUID().slice(0, 8), seq: 0, subscribers: new Set() };
      this.#sql('CREATE TABLE IF NOT EXISTS sockjs_topic (epoch TEXT NOT NULL, seq INTEGER NOT NULL)');
      this.#sql('CREATE TABLE IF NOT EXISTS sockjs_topic_subscribers (object TEXT PRIMARY KEY)');
      this.#sql('INSERT INTO sockjs_topic (epoch, seq) VALUES (?, 0)', this.#topic.epoch);
    }
    if (this.#topic.subscribers.has(id)) return;
    this.#topic.subscribers.add(id);
    this.#sql('INSERT OR IGNORE INTO sockjs_topic_subscribers (object) VALUES (?)', id);
  }

  #removeSubscriber(id: string): void {
    if (!this.#topic?.subscribers.delete(id)) return;
    if (this.#topic.subscribers.size > 0) {
      this.#sql('DELETE FROM sockjs_topic_subscribers WHERE object = ?', id);
      return;
    }
    // The last one: the topic object keeps nothing.
    this.#sql('DROP TABLE IF EXISTS sockjs_topic_subscribers');
    this.#sql('DROP TABLE IF EXISTS sockjs_topic');
    this.#topic = null;
  }

  #tableExists(name: string): boolean {
    return this.#sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).length > 0;
  }

  #sql(query: string, ...bindings: unknown[]): Record<string, unknown>[] {
    return this.#ctx.storage.sql.exec(query, ...bindings).toArray();
  }
}
