import { defineRuntimeBehaviourSuite } from '../runtime-behaviour/index.ts';
import { nodeTarget } from '../support/server-process.ts';

defineRuntimeBehaviourSuite(nodeTarget);
