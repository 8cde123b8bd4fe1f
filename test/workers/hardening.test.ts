/**
 * The hardening options on the Workers demo (local workerd). The client address comes from
 * `CF-Connecting-IP`, which Miniflare sets to the TCP peer (127.0.0.1) as Cloudflare's edge sets
 * it to the client's. (Locally a client's own `CF-Connecting-IP` header passes through
 * unchanged; Cloudflare's edge overwrites it.)
 */
import { defineHardeningSuite } from '../hardening/index.ts';
import { workersTarget } from '../support/workers-target.ts';

defineHardeningSuite(workersTarget());
