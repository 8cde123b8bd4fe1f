/** The Hono example app (`examples/hono-deno.ts`) on Deno: its routes, the protocol suite, the real client. */
import { defineSockJSClientSuite } from '../client/sockjs-client.ts';
import { defineConformanceSuite } from '../conformance/index.ts';
import { defineRuntimeBehaviourSuite } from '../runtime-behaviour/index.ts';
import { honoDenoTarget } from '../support/runtime-targets.ts';
import { defineHonoRouteTests } from './routes.ts';

defineHonoRouteTests(honoDenoTarget);
defineConformanceSuite(honoDenoTarget);
defineSockJSClientSuite(honoDenoTarget);
defineRuntimeBehaviourSuite(honoDenoTarget);
