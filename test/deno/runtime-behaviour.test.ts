import { defineRuntimeBehaviourSuite } from '../runtime-behaviour/index.ts';
import { denoTarget } from '../support/runtime-targets.ts';

defineRuntimeBehaviourSuite(denoTarget);
