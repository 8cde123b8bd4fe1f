/** The no-lost-messages soak test on the Workers demo, local workerd (see test/soak/index.ts). */
import { workersTarget } from '../support/workers-target.ts';
import { defineSoakSuite } from './index.ts';

defineSoakSuite(workersTarget());
