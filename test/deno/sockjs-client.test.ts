import { defineSockJSClientSuite } from '../client/sockjs-client.ts';
import { denoTarget } from '../support/runtime-targets.ts';

defineSockJSClientSuite(denoTarget);
