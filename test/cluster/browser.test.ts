/**
 * The browser suite (test/browser/suite.ts) through HAProxy in front of Node, Deno and Bun:
 * sockjs-client's browser build in Chromium on all of its transports, from a page on another
 * origin and from the demo page (no cookie needed: routing hashes on the session id), and the
 * demo chat between two clients, whose sessions may sit on different backends (Redis topics).
 */
import { defineBrowserSuite } from '../browser/suite.ts';
import { clusterTarget } from '../support/cluster-target.ts';

defineBrowserSuite(clusterTarget('haproxy in front of node, deno and bun'));
