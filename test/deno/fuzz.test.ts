/** Black-box fuzzing of the Deno demo server (see test/fuzz/index.ts). */
import { defineFuzzSuite } from '../fuzz/index.ts';
import { denoTarget } from '../support/runtime-targets.ts';

defineFuzzSuite(denoTarget);
