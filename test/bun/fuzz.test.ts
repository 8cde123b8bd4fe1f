/** Black-box fuzzing of the Bun demo server (see test/fuzz/index.ts). */
import { defineFuzzSuite } from '../fuzz/index.ts';
import { bunTarget } from '../support/runtime-targets.ts';

defineFuzzSuite(bunTarget);
