/**
 * `npm run start:cluster`: a local cluster of the demo on three runtimes behind HAProxy.
 *   PORT=8080 HOST=127.0.0.1 npm run start:cluster
 *   REDIS_URL=redis://127.0.0.1:6379 npm run start:cluster   (use that Redis instead of our own)
 *   CLUSTER_BACKENDS=node,node npm run start:cluster         (other backends; default node,deno,bun)
 * Prints the URL and each process's id; stops everything on SIGINT or SIGTERM. When a backend
 * dies, HAProxy marks it down and sends new sessions to the others; the cluster keeps running.
 */
import { backendsFor, startCluster } from './cluster.ts';

const cluster = await startCluster({
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 8080),
  ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
  backends: backendsFor(process.env.CLUSTER_BACKENDS ?? 'node,deno,bun'),
  onLine: (name, line) => console.log(`[${name}] ${line}`),
});

let stopping = false;
const stop = (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('stopping the cluster ...');
  void cluster.stop().then(() => {
    console.log('cluster stopped');
    process.exit(code);
  });
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
// `npm run start:cluster` runs this under `sh -c`: a SIGTERM to npm ends npm and the shell but
// never reaches this process, which would live on with the whole cluster. So when the process
// that started us is gone (we were re-parented), stop as for SIGTERM.
const launcher = process.ppid;
setInterval(() => {
  if (process.ppid !== launcher) {
    console.log(`the launching process ${launcher} is gone`);
    stop(0);
  }
}, 500).unref();

for (const backend of cluster.backends) {
  console.log(`backend ${backend.name}: ${backend.url} (pid ${backend.process.pid})`);
  void backend.process.exited.then(({ code, signal }) => {
    if (!stopping) console.log(`backend ${backend.name} exited (code ${code}, signal ${signal})`);
  });
}
// Without HAProxy or our Redis the cluster is no use: stop it all.
for (const vital of [cluster.haproxy, cluster.redis]) {
  if (vital === undefined) continue;
  void vital.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.log(`${vital.name} exited (code ${code}, signal ${signal})`);
    stop(1);
  });
}
console.log(`redis: ${cluster.redisUrl}${cluster.redis ? ` (pid ${cluster.redis.pid})` : ''}`);
console.log(`haproxy: pid ${cluster.haproxy.pid}`);
console.log(`supervisor (this process, stop it to stop them all): pid ${process.pid}`);
console.log(`SockJS cluster listening on ${cluster.url}`);
console.log(`Demo page: ${cluster.url}/`);
