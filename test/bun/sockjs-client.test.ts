import { defineSockJSClientSuite } from '../client/sockjs-client.ts';
import { bunTarget } from '../support/runtime-targets.ts';

defineSockJSClientSuite(bunTarget);
