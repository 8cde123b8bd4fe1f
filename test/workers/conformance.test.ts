import { defineConformanceSuite } from '../conformance/index.ts';
import { workersTarget } from '../support/workers-target.ts';

defineConformanceSuite(workersTarget());
