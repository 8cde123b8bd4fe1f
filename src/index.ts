export { SockJSConnection } from './connection.ts';
export type { CloseInfo } from './events.ts';
export { SockJSCloseEvent, SockJSConnectionEvent } from './events.ts';
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
export type { RuntimeContext, ServerWebSocket, WebSocketHandlers } from './runtime.ts';
export { SockJSServer } from './server.ts';
export { combineServices, type SockJSServices } from './services.ts';
