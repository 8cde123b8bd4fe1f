/** The Hono example app (`examples/hono-node.ts`) on Node: its routes, the protocol suite, the real client. */
import { defineSockJSClientSuite } from '../client/sockjs-client.ts';
import { defineConformanceSuite } from '../conformance/index.ts';
import { defineRuntimeBehaviourSuite } from '../runtime-behaviour/index.ts';
import { honoNodeTarget } from '../support/runtime-targets.ts';
import { defineHonoRouteTests } from './routes.ts';

defineHonoRouteTests(honoNodeTarget);
defineConformanceSuite(honoNodeTarget);
defineSockJSClientSuite(honoNodeTarget);
defineRuntimeBehaviourSuite(honoNodeTarget);
