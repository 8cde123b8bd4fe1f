import { workersTarget } from '../support/workers-target.ts';
import { defineBrowserSuite } from './suite.ts';

defineBrowserSuite(workersTarget());
