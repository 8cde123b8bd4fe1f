/** Every scenario, in the order they run and are reported. */
import type { Scenario } from '../scenario.ts';
import { broadcast } from './broadcast.ts';
import { idleWebSockets } from './idle-websockets.ts';
import { sessionOpens } from './session-opens.ts';
import { websocketEcho } from './websocket-echo.ts';
import { xhrPolling } from './xhr-polling.ts';
import { xhrStreamingEcho } from './xhr-streaming-echo.ts';

export const SCENARIOS: readonly Scenario[] = [
  websocketEcho({
    id: 'websocket-echo',
    title: 'WebSocket echo, ping-pong (1 connection, 1 in flight)',
    framing: 'sockjs',
    connections: () => 1,
    depth: () => 1,
  }),
  websocketEcho({
    id: 'websocket-pipelined',
    title: 'WebSocket echo, pipelined (N connections x M in flight)',
    framing: 'sockjs',
    connections: (ctx) => ctx.sizes.pipelineConnections,
    depth: (ctx) => ctx.sizes.pipelineDepth,
  }),
  websocketEcho({
    id: 'raw-websocket-echo',
    title: 'raw WebSocket echo, pipelined (P/websocket, no framing)',
    framing: 'raw-endpoint',
    connections: (ctx) => ctx.sizes.pipelineConnections,
    depth: (ctx) => ctx.sizes.pipelineDepth,
  }),
  xhrStreamingEcho,
  xhrPolling,
  broadcast({
    id: 'eventsource-delivery',
    title: 'eventsource delivery (broadcast to N eventsource sessions)',
    transport: 'eventsource',
    receivers: (ctx) => ctx.sizes.eventsourceReceivers,
  }),
  sessionOpens,
  broadcast({
    id: 'broadcast',
    title: 'broadcast fan-out (N WebSocket sessions)',
    transport: 'websocket',
    receivers: (ctx) => ctx.sizes.broadcastSessions,
  }),
  idleWebSockets,
  broadcast({
    id: 'cluster-broadcast',
    title: 'broadcast fan-out through HAProxy and Redis (N WebSocket sessions over 1, 2, 3 Node backends)',
    transport: 'websocket',
    receivers: (ctx) => ctx.sizes.broadcastSessions,
    kinds: ['cluster'],
  }),
];
