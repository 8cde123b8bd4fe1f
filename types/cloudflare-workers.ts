/**
 * `cloudflare:workers` for this repository's own type check only: tsconfig.json maps the
 * specifier here (`paths`); the build keeps the import and does not publish this file. The real
 * module comes from workerd at run time and, for users, its types from `wrangler types` or
 * `@cloudflare/workers-types`, whose globals clash with the DOM lib the rest of the repository is
 * checked with. Only what the package uses, in the shape of workerd's `DurableObject`, over the
 * structural platform types of src/adapters/workers; the handler methods (`fetch`, `alarm`,
 * `webSocket*`), optional there, are left out so that the class does not mark them `override`,
 * which Deno's check of the JSR package (no `cloudflare:workers` there) rejects.
 */
import type { DurableObjectState } from '../src/adapters/workers/platform.ts';

export declare abstract class DurableObject<Env = unknown> {
  protected ctx: DurableObjectState;
  protected env: Env;
  constructor(ctx: DurableObjectState, env: Env);
}
