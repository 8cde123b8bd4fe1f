/** The hardening options on the Bun demo server (`bun/server.ts`). */
import { defineHardeningSuite } from '../hardening/index.ts';
import { bunTarget } from '../support/runtime-targets.ts';

defineHardeningSuite(bunTarget);
