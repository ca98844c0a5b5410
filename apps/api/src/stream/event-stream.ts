import type { Response } from 'express';

/** One published event, as a stream sends it. */
export interface LiveEvent {
  readonly eventId: string;
  readonly type: string;
  readonly userId: string;
  /** The event's JSON on one line. */
  readonly json: string;
}

/** Why the api ended a stream. */
export type StreamEnd = 'client' | 'slow' | 'shutdown';

/** How long a stream's unsent frames may stay over the limit before it is dropped: a reader stalled for good. */
const STALL_MS = 5_000;
/** How far over the limit a burst may take a stream at once (a reader that is keeping up drains it within moments). */
const BURST_FACTOR = 8;

/**
 * One open `text/event-stream` response. Frames are written as they come; a client that stops
 * reading makes them pile up in the response's buffer. A stream whose unsent frames stay over
 * `maxBufferedBytes` for STALL_MS, or reach BURST_FACTOR times it, is ended and its buffer released,
 * rather than holding the memory for a reader that may never return. The check runs at every write,
 * the keep-alive comments included, so that an idle stalled stream goes too.
 */
export class EventStream {
  private ended = false;
  private overLimitSince: number | null = null;

  constructor(
    readonly userId: string,
    private readonly response: Response,
    private readonly maxBufferedBytes: number,
    private readonly onEnd: (stream: EventStream, reason: StreamEnd) => void,
  ) {
    response.once('close', () => this.end('client'));
  }

  /** Sends the headers and a first comment, so that the client knows the stream is open before any event. */
  open(retryMs: number): void {
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Proxies such as nginx would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    this.write(`retry: ${retryMs}\n: open\n\n`);
  }

  send(event: LiveEvent): void {
    this.write(`event: ${event.type}\nid: ${event.eventId}\ndata: ${event.json}\n\n`);
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

  private write(frame: string): void {
    if (this.ended) {
      return;
    }
    const buffered = this.response.writableLength;
    if (buffered <= this.maxBufferedBytes) {
      this.overLimitSince = null;
    } else {
      const now = Date.now();
      this.overLimitSince ??= now;
      if (buffered >= this.maxBufferedBytes * BURST_FACTOR || now - this.overLimitSince >= STALL_MS) {
        this.end('slow');
        return;
      }
    }
    this.response.write(frame);
  }
}
