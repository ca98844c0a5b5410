import { createParser } from 'eventsource-parser';
import { eventually } from '@app/testing';

export interface StreamedEvent {
  readonly event: string | undefined;
  readonly id: string | undefined;
  readonly data: Record<string, unknown>;
}

/**
 * GET /gamification/stream as a browser's fetch reads it: the token in the Authorization header, the
 * body parsed as Server-Sent Events as it arrives. Keeps every event and counts the comment lines.
 */
export class EventStreamClient {
  readonly events: StreamedEvent[] = [];
  comments = 0;
  private ended = false;
  private readonly reading: Promise<void>;

  private constructor(
    private readonly response: Response,
    private readonly abort: AbortController,
  ) {
    const parser = createParser({
      onEvent: ({ event, id, data }) => this.events.push({ event, id, data: JSON.parse(data) as Record<string, unknown> }),
      onComment: () => {
        this.comments += 1;
      },
    });
    this.reading = (async () => {
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            return;
          }
          parser.feed(value);
        }
      } catch {
        // Aborted by close(), or the connection dropped: either way the stream has ended.
      } finally {
        this.ended = true;
      }
    })();
  }

  /** Opens a stream; a refused one (401, 429) is returned as the response, unread. */
  static async open(base: string, token: string | null): Promise<EventStreamClient | Response> {
    const abort = new AbortController();
    const response = await fetch(`${base}/gamification/stream`, {
      headers: { Accept: 'text/event-stream', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
      signal: abort.signal,
    });
    if (response.status !== 200 || response.body === null) {
      return response;
    }
    return new EventStreamClient(response, abort);
  }

  /** Opens a stream that must be accepted. */
  static async accepted(base: string, token: string): Promise<EventStreamClient> {
    const opened = await EventStreamClient.open(base, token);
    if (!(opened instanceof EventStreamClient)) {
      throw new Error(`the stream was refused: ${opened.status} ${await opened.text()}`);
    }
    return opened;
  }

  get contentType(): string | null {
    return this.response.headers.get('content-type');
  }

  /** Whether the server ended the stream (or the connection dropped). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Waits until at least `count` events arrived; returns them all. */
  async waitForEvents(count: number, timeoutMs = 15_000): Promise<StreamedEvent[]> {
    return eventually(`${count} events on the stream (${this.events.length} so far)`, async () => (this.events.length >= count ? [...this.events] : undefined), timeoutMs);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }
}
