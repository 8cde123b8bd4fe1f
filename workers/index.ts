/**
 * Cloudflare Workers entrypoint: the demo services, with their sessions in Durable Objects.
 *   npm run start:workers        (local workerd through wrangler/miniflare)
 *   npx wrangler deploy          (to Cloudflare)
 */
import { demoOptionsFromEnv, demoServiceDefinitions } from '../examples/demo-services.ts';
import { sockjsDurableObject, sockjsWorker } from '../src/adapters/workers/index.ts';

type Env = Record<string, string | undefined>;

const services = (env: Env) => demoServiceDefinitions(demoOptionsFromEnv(env));

/** Holds the sessions; bound as SOCKJS in wrangler.toml. */
export const SockJSSessions = sockjsDurableObject<Env>(services);

export default sockjsWorker<Env>({ binding: 'SOCKJS', services });
