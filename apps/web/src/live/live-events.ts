import { createParser } from 'eventsource-parser';

/** One of the user's published events, as the stream sends it (contract sections 3, 8 and 11). */
export interface LiveEvent {
  readonly eventId: string;
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface LiveEventHandlers {
  /** The stream is open: events from now on arrive. Whatever happened before may have been missed: read again. */
  onOpen(): void;
  onEvent(event: LiveEvent): void;
  /** An open stream ended or dropped: it is being opened again. */
  onClose(): void;
  /** The token was refused (401): the stream is over until the user signs in again. */
  onUnauthorized(): void;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/**
 * The api writes at least a comment every 15 s: a stream silent for longer is a connection that died
 * without closing (a laptop that slept, a NAT that forgot it), and is opened again.
 */
export const SILENCE_MS = 40_000;
/** Event ids remembered, so that one delivered twice (a redelivery after a crash) is handed on once. */
const REMEMBERED_EVENTS = 200;

/**
 * Follows GET /gamification/stream with the token in the Authorization header: a fetch and an SSE
 * parser rather than `EventSource`, which cannot send headers and would put the token in the URL,
 * and so in every proxy's and server's access log. A stream that ends or fails is opened again after
 * a backoff (1 s, doubling to 30 s, with jitter so that many clients do not return at once), reset
 * once a stream opens; so is one silent for SILENCE_MS. Each event is handed on once, however often
 * it arrives. Returns the function that stops it; no handler is called after that.
 */
export function followLiveEvents(token: string, handlers: LiveEventHandlers): () => void {
  const stopped = new AbortController();
  const seen: string[] = [];
  const onEvent = (event: LiveEvent) => {
    if (stopped.signal.aborted || seen.includes(event.eventId)) {
      return;
    }
    seen.push(event.eventId);
    seen.splice(0, seen.length - REMEMBERED_EVENTS);
    handlers.onEvent(event);
  };
  void (async () => {
    let retryMs = FIRST_RETRY_MS;
    while (!stopped.signal.aborted) {
      let opened = false;
      const onOpen = () => {
        if (!stopped.signal.aborted) {
          opened = true;
          handlers.onOpen();
        }
      };
      const outcome = await streamOnce(token, { ...handlers, onOpen, onEvent }, stopped.signal).catch(() => 'failed' as const);
      if (opened && !stopped.signal.aborted) {
        handlers.onClose();
      }
      if (outcome === 'unauthorized') {
        if (!stopped.signal.aborted) {
          handlers.onUnauthorized();
        }
        return;
      }
      retryMs = opened ? FIRST_RETRY_MS : Math.min(retryMs * 2, MAX_RETRY_MS);
      await pause(retryMs / 2 + Math.random() * (retryMs / 2), stopped.signal);
    }
  })();
  return () => stopped.abort();
}

/** Reads one stream to its end, or until it has been silent for SILENCE_MS. */
async function streamOnce(token: string, handlers: LiveEventHandlers, stopped: AbortSignal): Promise<'ended' | 'refused' | 'unauthorized'> {
  const silent = new AbortController();
  let silence: ReturnType<typeof setTimeout> | undefined;
  const heard = () => {
    clearTimeout(silence);
    silence = setTimeout(() => silent.abort(), SILENCE_MS);
  };
  heard();
  try {
    const response = await fetch('/gamification/stream', {
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
      signal: AbortSignal.any([stopped, silent.signal]),
      cache: 'no-store',
    });
    if (response.status === 401) {
      return 'unauthorized';
    }
    if (!response.ok || response.body === null) {
      return 'refused';
    }
    handlers.onOpen();
    const parser = createParser({
      onEvent: ({ data }) => {
        try {
          handlers.onEvent(JSON.parse(data) as LiveEvent);
        } catch {
          // Not an event of ours: the stream goes on.
        }
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        return 'ended';
      }
      heard();
      parser.feed(value);
    }
  } finally {
    clearTimeout(silence);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal.addEventListener('abort', stop, { once: true });
  });
}
