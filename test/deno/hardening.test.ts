/** The hardening options on the Deno demo server (`deno/server.ts`). */
import { defineHardeningSuite } from '../hardening/index.ts';
import { denoTarget } from '../support/runtime-targets.ts';

defineHardeningSuite(denoTarget);
