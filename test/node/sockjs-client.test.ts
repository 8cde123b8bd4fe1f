import { defineSockJSClientSuite } from '../client/sockjs-client.ts';
import { nodeTarget } from '../support/server-process.ts';

defineSockJSClientSuite(nodeTarget);
