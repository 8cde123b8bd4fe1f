/**
 * Cloudflare Workers entrypoint: the demo services, with their sessions in Durable Objects, and
 * the demo page (`/`, `/lib/sockjs.js`), which the Worker answers itself.
 *   npm run start:workers        (local workerd through wrangler/miniflare)
 *   npx wrangler deploy          (to Cloudflare)
 */

import { type SockJSWorker, sockjsDurableObject, sockjsWorker } from 'sockjs-fetch/workers';
import { type DemoPages, demoPages } from '../examples/demo-app.ts';
import { demoOptionsFromEnv, demoServiceDefinitions } from '../examples/demo-services.ts';

type Env = Record<string, string | undefined>;

const services = (env: Env) => demoServiceDefinitions(demoOptionsFromEnv(env));

/** Holds the sessions; bound as SOCKJS in wrangler.toml. */
export const SockJSSessions = sockjsDurableObject<Env>(services);

const worker = sockjsWorker<Env>({ binding: 'SOCKJS', services });

type Context = Parameters<SockJSWorker<Env>['fetch']>[2];

// Built on the first request: `env` (its vars) is only known then, and is the same afterwards.
let pages: DemoPages | undefined;

export default {
  fetch(request: Request, env: Env, ctx?: Context): Promise<Response> | Response {
    pages ??= demoPages(demoOptionsFromEnv(env));
    return pages(request) ?? worker.fetch(request, env, ctx);
  },
};
