export { SockJSConnection } from './connection.ts';
export type { CloseInfo } from './events.ts';
export {
  SockJSCloseEvent,
  SockJSConnectionEvent,
  SockJSDisconnectEvent,
  SockJSMessageEvent,
} from './events.ts';
export {
  DEFAULT_SOCKJS_URL,
  type Logger,
  type LogSeverity,
  type SockJSNodeOptions,
  SockJSOptionsError,
  type SockJSServerOptions,
} from './options.ts';
export { TRANSPORTS, type TransportName } from './protocol/routes.ts';
export { ReadyState } from './ready-state.ts';
export type { RuntimeContext, ServerWebSocket, WebSocketHandlers, WebSocketInfo } from './runtime.ts';
export { type RequestRoute, SockJSServer, type SockJSServerEventMap } from './server.ts';
export {
  buildServices,
  combineServices,
  type SockJSServiceDefinition,
  type SockJSServices,
} from './services.ts';
export type { SessionStore } from './session-registry.ts';
export { InMemoryTopicBroker, type TopicBroker, type TopicDelivery } from './topics.ts';
