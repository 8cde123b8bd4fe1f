/** The SockJS protocol conformance suite against the Deno demo server (`deno/server.ts`). */
import { defineConformanceSuite } from '../conformance/index.ts';
import { denoTarget } from '../support/runtime-targets.ts';

defineConformanceSuite(denoTarget);
