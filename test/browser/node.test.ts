import { nodeTarget } from '../support/server-process.ts';
import { defineBrowserSuite } from './suite.ts';

defineBrowserSuite(nodeTarget);
