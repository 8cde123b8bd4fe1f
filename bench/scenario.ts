/** What a scenario is, what it is given, and what one run of it reports. */
import type { WindowResult } from './load.ts';
import type { ServerKind, ServerSpec } from './servers.ts';
import type { LatencyRecorder } from './stats.ts';

/** The counts and durations a run uses; `--quick` scales them down. */
export interface Sizes {
  warmupMs: number;
  windowMs: number;
  /** Connections and messages in flight on each for the pipelined WebSocket echo. */
  pipelineConnections: number;
  pipelineDepth: number;
  /** Concurrent sessions of the HTTP echo scenarios (each with one message in flight). */
  httpSessions: number;
  /** Eventsource receivers of the delivery scenario. */
  eventsourceReceivers: number;
  /** WebSocket sessions the broadcast reaches. */
  broadcastSessions: number;
  /** Concurrent clients opening sessions. */
  openers: number;
  /** Idle WebSocket sessions held open at once, and handshakes in flight while opening them. */
  idleSessions: number;
  handshakeConcurrency: number;
}

export interface ScenarioContext {
  server: ServerSpec;
  /** The server's base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** The root of the server's process tree. */
  pid: number;
  sizes: Sizes;
}

/** One run of one scenario against one server. */
export interface Measurement {
  /** Operations (messages, deliveries, opens, handshakes) counted in the window. */
  ops: number;
  seconds: number;
  /** Operations per second. */
  throughput: number;
  /** Server CPU time (user + system, whole process tree) per operation, in microseconds. */
  cpuUsPerOp: number;
  /** Load generator CPU per operation, in microseconds. */
  clientCpuUsPerOp?: number;
  /** CPU the rest of the machine used during the window, in cores (0.5 = half a core busy). */
  otherLoadCores?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  /** Server resident memory added per open session, in bytes. */
  rssPerSessionBytes?: number;
}

export interface Scenario {
  id: string;
  title: string;
  /** What one operation is, e.g. `msg`, `delivery`. */
  op: string;
  /** The kinds of server the scenario applies to. */
  kinds: readonly ServerKind[];
  run(ctx: ScenarioContext): Promise<Measurement>;
}

export function fromWindow(window: WindowResult, latency?: LatencyRecorder): Measurement {
  const seconds = window.elapsedMs / 1000;
  const measurement: Measurement = {
    ops: window.ops,
    seconds,
    throughput: window.ops / seconds,
    cpuUsPerOp: window.ops > 0 ? (window.cpuMs * 1000) / window.ops : Number.NaN,
    clientCpuUsPerOp: window.ops > 0 ? (window.clientCpuMs * 1000) / window.ops : Number.NaN,
    otherLoadCores: window.otherCpuMs / window.elapsedMs,
  };
  if (latency !== undefined && latency.count > 0) {
    measurement.latencyP50Ms = latency.percentile(0.5);
    measurement.latencyP99Ms = latency.percentile(0.99);
  }
  return measurement;
}

/** A message body of a realistic small size that names its sequence number. */
export const payload = (seq: number) => `bench message #${seq} 0123456789abcdef`;

export const ws = (url: string) => url.replace(/^http:/, 'ws:');
