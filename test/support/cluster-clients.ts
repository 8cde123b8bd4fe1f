/**
 * sockjs-client connections for the cluster tests that need to know which backend holds each
 * session: the client is given a session id of ours (`sessionId` option), and HAProxy's request
 * log (`ClusterOptions.logRequests`) says where that session's first request went.
 */
import { randomUUID } from 'node:crypto';
import SockJS from 'sockjs-client';
import type { Cluster } from '../../cluster/cluster.ts';

export interface ClusterClient {
  transport: string;
  sessionId: string;
  /** The backend HAProxy sent the session to. */
  server: string;
  /** Every message received, in order. */
  messages: string[];
  closed: Promise<{ code: number; reason: string }>;
  isClosed(): boolean;
  /** Resolves once `predicate(messages)` holds; rejects on close or after `timeoutMs`. */
  waitUntil(
    what: string,
    predicate: (messages: readonly string[]) => boolean,
    timeoutMs: number,
  ): Promise<void>;
  send(data: string): void;
  close(): void;
}

/**
 * The backend HAProxy sent `sessionId` to. Its log line can come a little after the response
 * (HAProxy logs to a pipe this process reads), so this waits for it a while.
 */
export async function serverOf(cluster: Cluster, sessionId: string, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const server = cluster.routes().find((route) => route.path.includes(`/${sessionId}/`))?.server;
    if (server !== undefined) return server;
    if (Date.now() > deadline) throw new Error(`no HAProxy log line for session ${sessionId}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens a sockjs-client connection on one transport; resolves when it is open. */
export function openClient(cluster: Cluster, prefix: string, transport: string): Promise<ClusterClient> {
  const sessionId = randomUUID().replaceAll('-', '');
  const sock = new SockJS(`${cluster.url}${prefix}`, undefined, {
    transports: [transport],
    timeout: 3000,
    sessionId: () => sessionId,
  });
  const messages: string[] = [];
  const waiters = new Set<() => void>();
  let closed = false;
  const closedPromise = new Promise<{ code: number; reason: string }>((resolve) => {
    sock.onclose = (event: { code: number; reason: string }) => {
      closed = true;
      for (const wake of [...waiters]) wake();
      resolve({ code: event.code, reason: event.reason });
    };
  });
  sock.onmessage = (event: { data: string }) => {
    messages.push(event.data);
    for (const wake of [...waiters]) wake();
  };
  return new Promise((resolve, reject) => {
    sock.onopen = async () => {
      let server: string;
      try {
        server = await serverOf(cluster, sessionId);
      } catch (error) {
        sock.close();
        reject(error);
        return;
      }
      const where = `${transport} on ${server}`;
      resolve({
        transport,
        sessionId,
        server,
        messages,
        closed: closedPromise,
        isClosed: () => closed,
        waitUntil: (what, predicate, timeoutMs) =>
          new Promise<void>((done, fail) => {
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`${where}: not ${what} after ${timeoutMs} ms (${messages.length} messages)`));
            }, timeoutMs);
            const check = () => {
              const ok = predicate(messages);
              if (!ok && !closed) return;
              clearTimeout(timer);
              waiters.delete(check);
              if (ok) done();
              else fail(new Error(`${where}: closed before ${what} (${messages.length} messages)`));
            };
            waiters.add(check);
            check();
          }),
        send: (data) => sock.send(data),
        close: () => sock.close(),
      });
    };
    void closedPromise.then(({ code, reason }) =>
      reject(new Error(`${transport}: closed before open (${code} ${reason})`)),
    );
  });
}

/** How many of `clients` each backend of `cluster` holds. */
export function clientsPerServer(cluster: Cluster, clients: readonly ClusterClient[]): Map<string, number> {
  const counts = new Map<string, number>(cluster.backends.map((backend) => [backend.name, 0]));
  for (const client of clients) counts.set(client.server, (counts.get(client.server) ?? 0) + 1);
  return counts;
}
