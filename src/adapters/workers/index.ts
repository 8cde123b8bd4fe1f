export {
  SockJSDurableObject,
  type SockJSDurableObjectClass,
  type SockJSDurableObjectOptions,
  sockjsDurableObject,
} from './durable-object.ts';
export type { WorkersServiceDefinition } from './service.ts';
export { SESSION_LOST } from './session-store.ts';
export { publishToTopic } from './topics.ts';
export { type SockJSWorker, type SockJSWorkerConfig, sockjsWorker } from './worker.ts';
