/**
 * Black-box fuzzing of the Workers demo on local workerd (see test/fuzz/index.ts). Without the
 * memory comparison: each session is a Durable Object that workerd keeps for a while.
 */
import { defineFuzzSuite } from '../fuzz/index.ts';
import { workersTarget } from '../support/workers-target.ts';

defineFuzzSuite(workersTarget(), { memory: false });
