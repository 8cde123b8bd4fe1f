/** The SockJS protocol conformance suite against the Node demo server (`node/server.ts`). */
import { defineConformanceSuite } from '../conformance/index.ts';
import { nodeTarget } from '../support/server-process.ts';

defineConformanceSuite(nodeTarget);
