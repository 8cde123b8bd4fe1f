export { SockJSDurableObject, type SockJSDurableObjectClass, sockjsDurableObject } from './durable-object.ts';
export type { WorkersServiceDefinition } from './service.ts';
export { SESSION_LOST } from './session-store.ts';
export { type SockJSWorker, type SockJSWorkerConfig, sockjsWorker } from './worker.ts';
