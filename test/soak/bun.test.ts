/** The no-lost-messages soak test on the Bun demo server (see test/soak/index.ts). */
import { bunTarget } from '../support/runtime-targets.ts';
import { defineSoakSuite } from './index.ts';

defineSoakSuite(bunTarget);
