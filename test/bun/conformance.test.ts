/** The SockJS protocol conformance suite against the Bun demo server (`bun/server.ts`). */
import { defineConformanceSuite } from '../conformance/index.ts';
import { bunTarget } from '../support/runtime-targets.ts';

defineConformanceSuite(bunTarget);
