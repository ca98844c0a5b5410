import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Celebrations } from '../components/Celebrations';
import { followLiveEvents, SILENCE_MS, type LiveEvent } from './live-events';

// Only the network is stood in for: each request for the stream gets the next answer here, its body
// written chunk by chunk, cut anywhere, as a network delivers it.
type StreamAnswer = { status: number; chunks?: string[]; staysOpen?: boolean };

let answers: StreamAnswer[] = [];
let requests: { url: string; authorization: string | null; accept: string | null }[] = [];

const levelUp: LiveEvent = { eventId: 'e-1', type: 'level.up', userId: 'me', previousLevel: 1, newLevel: 2, totalXp: 120 };
const badge: LiveEvent = { eventId: 'e-2', type: 'badge.awarded', userId: 'me', badgeCode: 'FIRST_STEPS', badgeName: 'First Steps' };
const frame = (event: LiveEvent) => `event: ${event.type}\nid: ${event.eventId}\ndata: ${JSON.stringify(event)}\n\n`;

beforeEach(() => {
  answers = [];
  requests = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit) => {
      const headers = new Headers(init.headers);
      requests.push({ url: input, authorization: headers.get('Authorization'), accept: headers.get('Accept') });
      const answer = answers.shift() ?? { status: 503 };
      if (answer.chunks === undefined) {
        return new Response(JSON.stringify({ code: 'NOPE' }), { status: answer.status });
      }
      const chunks = answer.chunks;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) {
            controller.enqueue(new TextEncoder().encode(chunk));
          }
          if (answer.staysOpen !== true) {
            controller.close();
          }
          // As a browser's fetch does: aborting the request errors a body still being read.
          init.signal?.addEventListener('abort', () => controller.error(new DOMException('The operation was aborted.', 'AbortError')));
        },
      });
      return new Response(body, { status: answer.status, headers: { 'Content-Type': 'text/event-stream' } });
    }),
  );
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const handlers = () => ({ onOpen: vi.fn(), onEvent: vi.fn(), onClose: vi.fn(), onUnauthorized: vi.fn() });

/** Lets the fetch and the stream reads resolve (promise jobs only): with fake timers, no time passes. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 500; turn += 1) {
    await Promise.resolve();
  }
}

describe('followLiveEvents', () => {
  it('sends the token in the Authorization header, not in the URL, and hands on each event, however the chunks cut the frames', async () => {
    const whole = `: open\n\n${frame(levelUp)}: keep-alive\n\n${frame(badge)}`;
    answers.push({ status: 200, chunks: [whole.slice(0, 17), whole.slice(17, 60), whole.slice(60)] });
    const seen = handlers();
    const stop = followLiveEvents('a-token', seen);
    await vi.waitFor(() => expect(seen.onEvent).toHaveBeenCalledTimes(2));
    stop();

    expect(requests[0]).toEqual({ url: '/gamification/stream', authorization: 'Bearer a-token', accept: 'text/event-stream' });
    expect(seen.onOpen).toHaveBeenCalledTimes(1);
    expect(seen.onEvent.mock.calls.map(([event]) => event)).toEqual([levelUp, badge]);
  });

  it('opens the stream again after it ended, backing off, and calls onOpen each time so that the profile is read again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    answers.push({ status: 200, chunks: [frame(levelUp)] }, { status: 503 }, { status: 200, chunks: [frame(badge)] });
    const seen = handlers();
    const stop = followLiveEvents('a-token', seen);
    await settle();
    expect(seen.onEvent).toHaveBeenCalledTimes(1);
    expect(requests).toHaveLength(1);
    // With the jitter at its middle: 0.75 s after a stream that had opened, then 1.5 s after a refusal (doubled).
    await vi.advanceTimersByTimeAsync(749);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_499);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(seen.onEvent).toHaveBeenCalledTimes(2);
    stop();

    expect(requests).toHaveLength(3);
    expect(seen.onOpen).toHaveBeenCalledTimes(2);
    expect(seen.onClose).toHaveBeenCalledTimes(2);
    expect(seen.onUnauthorized).not.toHaveBeenCalled();
  });

  it('opens a stream again when it has gone silent, a connection that died without closing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    answers.push({ status: 200, chunks: [frame(levelUp)], staysOpen: true }, { status: 200, chunks: [frame(badge)], staysOpen: true });
    const seen = handlers();
    const stop = followLiveEvents('a-token', seen);
    await settle();
    await vi.advanceTimersByTimeAsync(SILENCE_MS - 1);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1 + 750);
    await settle();
    stop();

    expect(requests).toHaveLength(2);
    expect(seen.onEvent.mock.calls.map(([event]) => event)).toEqual([levelUp, badge]);
    expect(seen.onClose).toHaveBeenCalledTimes(1);
  });

  it('hands on an event delivered twice once', async () => {
    answers.push({ status: 200, chunks: [frame(levelUp), frame(badge), frame(levelUp)] });
    const seen = handlers();
    const stop = followLiveEvents('a-token', seen);
    await vi.waitFor(() => expect(seen.onClose).toHaveBeenCalled());
    stop();

    expect(seen.onEvent.mock.calls.map(([event]) => event)).toEqual([levelUp, badge]);
  });

  it('calls nothing once stopped', async () => {
    answers.push({ status: 200, chunks: [frame(levelUp)] });
    const seen = handlers();
    followLiveEvents('a-token', seen)();
    await settle();

    expect(seen.onOpen).not.toHaveBeenCalled();
    expect(seen.onEvent).not.toHaveBeenCalled();
  });

  it('stops for good on 401, so that the user is asked to sign in again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    answers.push({ status: 401 });
    const seen = handlers();
    followLiveEvents('an-expired-token', seen);
    await settle();
    expect(seen.onUnauthorized).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000);

    expect(requests).toHaveLength(1);
    expect(seen.onOpen).not.toHaveBeenCalled();
  });
});

describe('Celebrations', () => {
  it('announces a new level in a polite status region, and is dismissed by its button', () => {
    const dismissed: string[] = [];
    const { rerender } = render(<Celebrations events={[levelUp, badge]} onDismiss={(eventId) => dismissed.push(eventId)} />);

    const region = screen.getByRole('status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.textContent).toContain('Level 2!');
    expect(region.textContent).toContain('First Steps');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss: Level 2!' }));
    expect(dismissed).toEqual(['e-1']);

    rerender(<Celebrations events={[badge]} onDismiss={(eventId) => dismissed.push(eventId)} />);
    expect(screen.getByRole('status').textContent).not.toContain('Level 2!');
  });

  it('goes by itself after a few seconds', () => {
    vi.useFakeTimers();
    const dismissed: string[] = [];
    render(<Celebrations events={[badge]} onDismiss={(eventId) => dismissed.push(eventId)} />);
    vi.advanceTimersByTime(7_999);
    expect(dismissed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(dismissed).toEqual(['e-2']);
  });
});
