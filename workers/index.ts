/**
 * Cloudflare Workers entrypoint: the demo services, with their sessions in Durable Objects, the
 * demo page (`/`, `/lib/sockjs.js`), which the Worker answers itself, and a webhook that
 * publishes to a topic (`POST /publish/<topic>`, see `publishEndpoint`).
 *   npm run start:workers        (local workerd through wrangler/miniflare)
 *   npx wrangler deploy          (to Cloudflare)
 */

import { publishToTopic, type SockJSWorker, sockjsDurableObject, sockjsWorker } from 'sockjs-fetch/workers';
import { type DemoPages, demoPages } from '../examples/demo-app.ts';
import { demoOptionsFromEnv, demoServiceDefinitions } from '../examples/demo-services.ts';

type Env = Record<string, string | undefined>;

const services = (env: Env) => demoServiceDefinitions(demoOptionsFromEnv(env));

/** Holds the sessions, and the topics' subscriber lists; bound as SOCKJS in wrangler.toml. */
export const SockJSSessions = sockjsDurableObject<Env>(services, { binding: 'SOCKJS' });

const worker = sockjsWorker<Env>({ binding: 'SOCKJS', services });

type Context = Parameters<SockJSWorker<Env>['fetch']>[2];

// Built on the first request: `env` (its vars) is only known then, and is the same afterwards.
let pages: DemoPages | undefined;

const PUBLISH_PATH = /^\/publish\/([^/]{1,256})$/;
const MAX_PUBLISH_BYTES = 64 * 1024;

/**
 * `POST /publish/<topic>` with `Authorization: Bearer <SOCKJS_PUBLISH_TOKEN>` and the message as
 * the body: every connection subscribed to the topic, in every object, receives it. Answers
 * `{"objects": n}` (the objects it reached). Not an open relay: without the SOCKJS_PUBLISH_TOKEN
 * var the endpoint does not exist (404); a wrong or missing token gets 401; bodies over 64 KiB 413.
 */
async function publishEndpoint(request: Request, env: Env): Promise<Response | undefined> {
  const match = PUBLISH_PATH.exec(new URL(request.url).pathname);
  const token = env.SOCKJS_PUBLISH_TOKEN;
  if (match === null || !token) return undefined;
  if (request.method !== 'POST') return new Response(null, { status: 405, headers: { Allow: 'POST' } });
  if (!(await sameSecret(request.headers.get('Authorization') ?? '', `Bearer ${token}`))) {
    return new Response('Unauthorized\n', { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  const declared = Number(request.headers.get('Content-Length') ?? 0);
  const body = declared > MAX_PUBLISH_BYTES ? null : await request.text();
  if (body === null || new TextEncoder().encode(body).length > MAX_PUBLISH_BYTES) {
    return new Response('Payload Too Large\n', { status: 413 });
  }
  const namespace = env.SOCKJS as unknown as Parameters<typeof publishToTopic>[0];
  const objects = await publishToTopic(namespace, decodeURIComponent(match[1]!), body);
  return Response.json({ objects });
}

/** Compares digests, so the time taken says nothing about the token. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const digest = async (text: string) =>
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

export default {
  async fetch(request: Request, env: Env, ctx?: Context): Promise<Response> {
    pages ??= demoPages(demoOptionsFromEnv(env));
    return pages(request) ?? (await publishEndpoint(request, env)) ?? worker.fetch(request, env, ctx);
  },
};
