import { defineSockJSClientSuite } from '../client/sockjs-client.ts';
import { workersTarget } from '../support/workers-target.ts';

defineSockJSClientSuite(workersTarget());
