/**
 * A receiver is whatever currently carries frames from a session to the client: one HTTP
 * response (polling or streaming) or one WebSocket. A session has at most one at a time.
 */
import type { CloseInfo } from './events.ts';

export interface Receiver {
  /** Transport name reported as `connection.protocol`. */
  readonly protocol: string;
  /** True for a stream, which a heartbeat leaves open (a poll ends with its one frame). */
  readonly streaming?: boolean;
  /**
   * Writes one frame. Returns false when the receiver can take no more after this frame
   * (its response limit is reached); the session then closes and detaches it.
   */
  sendFrame(frame: string): boolean;
  /** Ends the response or closes the socket. Safe to call more than once. */
  close(): void;
  /** False while the client is not keeping up; the session then holds messages back. */
  writable(): boolean;
  /** Calls `callback` once, when the receiver is writable again (never after it closed). */
  whenWritable(callback: () => void): void;
}

/** How a receiver tells its session that it went away. */
export interface ReceiverOwner {
  /** The client dropped the connection (request aborted, socket closed). */
  receiverLost(receiver: Receiver, info: CloseInfo): void;
}
