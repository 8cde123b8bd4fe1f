import { honoDenoTarget } from '../support/runtime-targets.ts';
import { defineBrowserSuite } from './suite.ts';

defineBrowserSuite(honoDenoTarget);
