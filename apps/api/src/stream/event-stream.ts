import type { Response } from 'express';

/** One published event, as a stream sends it. */
export interface LiveEvent {
  readonly eventId: string;
  readonly type: string;
  readonly userId: string;
  /** The event's JSON on one line. */
  readonly json: string;
}

/**
 * Why a stream ended: the client left, it stopped reading (slow), its token expired, the api lost
 * its tail of the topics (unfed), or the api is shutting down.
 */
export type StreamEnd = 'client' | 'slow' | 'expired' | 'unfed' | 'shutdown';

/** How long a stream's unsent frames may stay over the limit before it is dropped: a reader stalled for good. */
const STALL_MS = 5_000;
/** How far over the limit a burst may take a stream at once (a reader that is keeping up drains it within moments). */
const BURST_FACTOR = 8;

/**
 * One open `text/event-stream` response. Frames are written as they come; a client that stops
 * reading makes them pile up in the response's buffer. A stream whose unsent frames stay over
 * `maxBufferedBytes` for STALL_MS, or reach BURST_FACTOR times it, is ended and its buffer released,
 * rather than holding the memory for a reader that may never return. The check runs at every write,
 * the keep-alive comments included; a stream that receives nothing ends at its token's expiry at
 * the latest.
 */
export class EventStream {
  private ended = false;
  private overLimitSince: number | null = null;
  private expiry: NodeJS.Timeout | null = null;

  constructor(
    readonly userId: string,
    private readonly response: Response,
    private readonly maxBufferedBytes: number,
    private readonly onEnd: (stream: EventStream, reason: StreamEnd) => void,
  ) {
    response.once('close', () => this.end('client'));
  }

  /**
   * Sends the headers and a first comment, so that the client knows the stream is open before any
   * event; the stream ends at `expiresAt`, its token's expiry (its client comes back with a new one).
   */
  open(retryMs: number, expiresAt: Date | null): void {
    if (expiresAt !== null) {
      // setTimeout's longest delay is about 24.8 days; a token that lives longer is ended then.
      this.expiry = setTimeout(() => this.end('expired'), Math.min(Math.max(expiresAt.getTime() - Date.now(), 0), 2 ** 31 - 1));
      this.expiry.unref();
    }
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Proxies such as nginx would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    this.write(`retry: ${retryMs}\n: open\n\n`);
  }

  /** Whether the event was written (false: the stream has ended, or ends now as a client that stopped reading). */
  send(event: LiveEvent): boolean {
    return this.write(`event: ${event.type}\nid: ${event.eventId}\ndata: ${event.json}\n\n`);
  }

  /** A comment line: it keeps idle proxies and load balancers from closing the connection. */
  keepAlive(): void {
    this.write(': keep-alive\n\n');
  }

  end(reason: StreamEnd): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    if (this.expiry !== null) {
      clearTimeout(this.expiry);
    }
    if (!this.response.writableEnded) {
      this.response.end();
    }
    // A client that is not reading would never take what is still buffered, and its connection would
    // hold the buffer and a shutdown (the server closes once its connections have): the socket goes now.
    if (reason === 'slow' || this.response.writableLength > 0) {
      this.response.destroy();
    }
    this.onEnd(this, reason);
  }

  private write(frame: string): boolean {
    if (this.ended) {
      return false;
    }
    const buffered = this.response.writableLength;
    if (buffered <= this.maxBufferedBytes) {
      this.overLimitSince = null;
    } else {
      const now = Date.now();
      this.overLimitSince ??= now;
      if (buffered >= this.maxBufferedBytes * BURST_FACTOR || now - this.overLimitSince >= STALL_MS) {
        this.end('slow');
        return false;
      }
    }
    this.response.write(frame);
    return true;
  }
}
