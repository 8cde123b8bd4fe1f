/** The no-lost-messages soak test on the Node demo server (see test/soak/index.ts). */
import { nodeTarget } from '../support/server-process.ts';
import { defineSoakSuite } from './index.ts';

defineSoakSuite(nodeTarget);
