/** The hardening options on the Node demo server (`node/server.ts`). */
import { defineHardeningSuite } from '../hardening/index.ts';
import { nodeTarget } from '../support/server-process.ts';

defineHardeningSuite(nodeTarget);
