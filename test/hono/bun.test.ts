/** The Hono example app (`examples/hono-bun.ts`) on Bun: its routes, the protocol suite, the real client. */
import { defineSockJSClientSuite } from '../client/sockjs-client.ts';
import { defineConformanceSuite } from '../conformance/index.ts';
import { defineRuntimeBehaviourSuite } from '../runtime-behaviour/index.ts';
import { honoBunTarget } from '../support/runtime-targets.ts';
import { defineHonoRouteTests } from './routes.ts';

defineHonoRouteTests(honoBunTarget);
defineConformanceSuite(honoBunTarget);
defineSockJSClientSuite(honoBunTarget);
defineRuntimeBehaviourSuite(honoBunTarget);
