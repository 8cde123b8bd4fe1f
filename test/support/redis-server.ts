/**
 * A real `redis-server` for tests, on a free 127.0.0.1 port, with no persistence and no config
 * file (Debian's daemonizes). It can be SIGKILLed and started again on the same port, and
 * answers single commands over a plain socket (`command`), so waiting needs no Redis client:
 * poll `PING`, and `PUBSUB NUMSUB` to see subscriptions come back.
 */
import { Socket } from 'node:net';
import { type ChildHandle, freePort, startProcess } from '../../cluster/processes.ts';

/**
 * Sends one command (RESP array of bulk strings) to Redis on `port` and returns the raw reply
 * once it is complete; rejects if the connection fails or no reply comes within `timeoutMs`.
 */
export function redisCommand(port: number, args: readonly string[], timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let reply = '';
    const done = (error: Error | null, value = '') => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(
      () => done(new Error(`redis ${args[0]}: no reply in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.once('error', (error) => done(error));
    socket.on('data', (text: string) => {
      reply += text;
      if (isComplete(reply)) done(null, reply);
    });
    socket.connect(port, '127.0.0.1', () => {
      socket.write(
        `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`,
      );
    });
  });
}

/** Whether `reply` holds one whole RESP value (enough for the simple replies tests read). */
function isComplete(reply: string): boolean {
  let position = 0;
  const value = (): boolean => {
    const end = reply.indexOf('\r\n', position);
    if (end < 0) return false;
    const line = reply.slice(position, end);
    position = end + 2;
    const type = line[0];
    if (type === '*') {
      const count = Number(line.slice(1));
      for (let i = 0; i < count; i++) if (!value()) return false;
      return true;
    }
    if (type === '$') {
      const length = Number(line.slice(1));
      if (length < 0) return true;
      if (Buffer.byteLength(reply.slice(position)) < length + 2) return false;
      position += length + 2;
      return true;
    }
    return true;
  };
  return value();
}

/** Subscribers of `channel`, as `PUBSUB NUMSUB` counts them (connections, not listeners). */
export async function subscriberCount(port: number, channel: string): Promise<number> {
  const reply = await redisCommand(port, ['PUBSUB', 'NUMSUB', channel]);
  const match = /:(\d+)\r\n$/.exec(reply);
  if (match === null) throw new Error(`unexpected PUBSUB NUMSUB reply ${JSON.stringify(reply)}`);
  return Number(match[1]);
}

/** Polls `condition` every 50 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // not yet (connection refused, ...)
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The current process id (a new one after `restart`). */
  readonly pid: number | undefined;
  /** SIGKILL: Redis vanishes at once, as in a crash, and forgets everything. */
  kill(): Promise<void>;
  /**
   * SIGSTOP: Redis hangs, its connections stay open (the kernel still accepts and acknowledges)
   * but nothing is answered, until `resume` (SIGCONT).
   */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port and waits until it answers PING. */
  restart(): Promise<void>;
  /** Stops it for good (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/** Starts `redis-server` (from PATH, or `REDIS_SERVER`) on a free port and waits for PING. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const binary = process.env.REDIS_SERVER ?? 'redis-server';
  let child: ChildHandle | null = null;

  // Spawned is started (`cluster/processes.ts`); ready is when it answers PING.
  const launch = async () => {
    const started = await startProcess({
      name: 'redis-server',
      command: binary,
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      outputLimit: 8000,
      keepOutput: 'first',
    });
    child = started;
    await Promise.race([
      started.exited.then(({ code, signal }) => {
        throw new Error(`redis-server exited (code ${code}, signal ${signal})`);
      }),
      waitFor(
        `redis-server on port ${port}`,
        async () => (await redisCommand(port, ['PING'])) === '+PONG\r\n',
      ),
    ]).catch((error: Error) => {
      started.kill('SIGKILL');
      throw new Error(`${error.message}\nredis-server output:\n${started.output()}`);
    });
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    kill: async () => {
      const current = child;
      current?.kill('SIGKILL');
      await current?.exited;
    },
    pause: () => {
      child?.kill('SIGSTOP');
    },
    resume: () => {
      child?.kill('SIGCONT');
    },
    restart: launch,
    stop: async () => {
      // A stopped process would not act on SIGTERM.
      child?.kill('SIGCONT');
      await child?.stop();
    },
  };
}
