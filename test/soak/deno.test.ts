/** The no-lost-messages soak test on the Deno demo server (see test/soak/index.ts). */
import { denoTarget } from '../support/runtime-targets.ts';
import { defineSoakSuite } from './index.ts';

defineSoakSuite(denoTarget);
