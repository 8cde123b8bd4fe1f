/** Workers use the runtime-neutral service definitions; the alias names their role here. */
import type { SockJSServiceDefinition } from '../../services.ts';

export type WorkersServiceDefinition<Env = unknown> = SockJSServiceDefinition<Env>;

/** The services, or a function of the Worker's `env` that returns them (read per isolate). */
export type ServiceList<Env> =
  | readonly WorkersServiceDefinition<Env>[]
  | ((env: Env) => readonly WorkersServiceDefinition<Env>[]);
