import { describe, expect, it } from 'vitest';
import { hostTokenSource } from './host-token';

const pageWith = (lockerRoomToken?: unknown) => ({ lockerRoomToken }) as unknown as Window;

describe('hostTokenSource', () => {
  it('is null on a page that hands over no token, so that development sign-in is offered', () => {
    expect(hostTokenSource(pageWith())).toBeNull();
    expect(hostTokenSource(pageWith('a-token-not-a-function'))).toBeNull();
  });

  it('asks the page each time, for a token given as it is or as a promise', async () => {
    const tokens = ['first', 'renewed'];
    const fromPage = hostTokenSource(pageWith(() => tokens.shift()))!;
    expect([await fromPage(), await fromPage()]).toEqual(['first', 'renewed']);
    await expect(hostTokenSource(pageWith(() => Promise.resolve('async-token')))!()).resolves.toBe('async-token');
  });

  it('says so when the page has no token to give', async () => {
    await expect(hostTokenSource(pageWith(() => ''))!()).rejects.toThrow(/gave no token/);
    await expect(hostTokenSource(pageWith(async () => undefined))!()).rejects.toThrow(/gave no token/);
  });
});
