/** The hardening options on the Hono example app, on Node, Deno and Bun. */
import { defineHardeningSuite } from '../hardening/index.ts';
import { honoBunTarget, honoDenoTarget, honoNodeTarget } from '../support/runtime-targets.ts';

defineHardeningSuite(honoNodeTarget);
defineHardeningSuite(honoDenoTarget);
defineHardeningSuite(honoBunTarget);
