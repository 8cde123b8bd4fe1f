import { defineRuntimeBehaviourSuite } from '../runtime-behaviour/index.ts';
import { bunTarget } from '../support/runtime-targets.ts';

defineRuntimeBehaviourSuite(bunTarget);
