/** Black-box fuzzing of the Node demo server (see test/fuzz/index.ts). */
import { defineFuzzSuite } from '../fuzz/index.ts';
import { nodeTarget } from '../support/server-process.ts';

defineFuzzSuite(nodeTarget);
