/**
 * The Workers demo's webhook, `POST /publish/<topic>` (workers/index.ts), for topic tests: it
 * answers how many Durable Objects a publish reached.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SockJSSession } from './sockjs-session.ts';

/** The token the tests start the Workers demo with (SOCKJS_PUBLISH_TOKEN). */
export const PUBLISH_TOKEN = 'test-publish-token';

export function publish(url: string, topic: string, data: string, token = PUBLISH_TOKEN): Promise<Response> {
  return fetch(`${url}/publish/${encodeURIComponent(topic)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' },
    body: data,
  });
}

/** Publishes and returns how many objects the message reached. */
export async function publishReaching(url: string, topic: string, data: string): Promise<number> {
  const response = await publish(url, topic, data);
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { objects: number }).objects;
}

/** Publishes `probe`s until one reaches `objects` objects (subscriptions travel asynchronously). */
export async function untilReaching(url: string, topic: string, objects: number): Promise<void> {
  const deadline = Date.now() + 5000;
  let reached = -1;
  while (Date.now() < deadline) {
    reached = await publishReaching(url, topic, 'probe');
    if (reached === objects) return;
    await sleep(50);
  }
  assert.fail(`publishes to "${topic}" reach ${reached} objects, not ${objects}`);
}

/** Subscribes a `/pubsub` session to `topic` (its connection; the object's travels on). */
export async function subscribe(session: SockJSSession, topic: string): Promise<void> {
  assert.equal(await session.ask(`sub ${topic}`, (m) => m.endsWith(topic)), `subscribed ${topic}`);
}
