import { parseSessionCompleted } from './parse-session-completed';

const now = new Date('2026-11-25T18:00:00Z');
const valid = {
  eventId: '8b0c5c8e-1d7e-4a53-9f7e-7f3f4c2d9a10',
  userId: 'user-123',
  sessionId: 'sess-456',
  completedAt: '2026-11-25T18:30:00+01:00',
  durationSeconds: 1800,
  score: 82,
  timezone: 'Europe/Berlin',
};
const parse = (document: unknown) => parseSessionCompleted(Buffer.from(JSON.stringify(document)), now);

describe('parseSessionCompleted', () => {
  it('accepts the contract example, keeping the instant and the zone', () => {
    expect(parse(valid)).toEqual({
      ok: true,
      session: {
        eventId: valid.eventId,
        userId: 'user-123',
        sessionId: 'sess-456',
        completedAt: new Date('2026-11-25T17:30:00Z'),
        durationSeconds: 1800,
        score: 82,
        timezone: 'Europe/Berlin',
        skills: [],
      },
    });
  });

  it('accepts a message without score and timezone, and ignores unknown fields', () => {
    const { score: _score, timezone: _timezone, ...rest } = valid;
    const result = parse({ ...rest, extra: { nested: true } });
    expect(result).toMatchObject({ ok: true, session: { score: null, timezone: null } });
  });

  it('reads skills once each, in their order, and none when absent', () => {
    expect(parse({ ...valid, skills: ['graphs', 'arrays', 'graphs', 'dynamic-programming'] })).toMatchObject({
      ok: true,
      session: { skills: ['graphs', 'arrays', 'dynamic-programming'] },
    });
    expect(parse({ ...valid, skills: ['not-in-the-tree-yet'] })).toMatchObject({ ok: true, session: { skills: ['not-in-the-tree-yet'] } });
    expect(parse(valid)).toMatchObject({ ok: true, session: { skills: [] } });
  });

  it.each([
    ['not an array', 'graphs'],
    ['more than 10 codes', Array.from({ length: 11 }, (_, index) => `skill-${index}`)],
    ['an upper-case code', ['Graphs']],
    ['an empty code', ['']],
    ['a code over 64 characters', ['a'.repeat(65)]],
    ['a number', [7]],
  ])('rejects skills that are %s as SCHEMA_VIOLATION naming the field', (_label, skills) => {
    expect(parse({ ...valid, skills })).toEqual({
      ok: false,
      code: 'SCHEMA_VIOLATION',
      message: 'skills: skills must be an array of at most 10 skill codes, each 1..64 characters of [a-z0-9-]',
    });
  });

  it.each([
    ['not JSON', Buffer.from('{"eventId": ')],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['empty', Buffer.alloc(0)],
  ])('rejects a message that is %s as INVALID_JSON', (_label, bytes) => {
    expect(parseSessionCompleted(bytes, now)).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });

  it('rejects a tombstone (no value) as INVALID_JSON', () => {
    expect(parseSessionCompleted(null, now)).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });

  it.each([
    ['eventId', { eventId: '' }],
    ['eventId', { eventId: 'x'.repeat(129) }],
    ['userId', { userId: 'user 123' }],
    ['userId', { userId: 42 }],
    ['sessionId', { sessionId: undefined }],
    ['sessionId', { sessionId: 'sess\u0000456' }],
    ['eventId', { eventId: 'evt\u0000' }],
    ['completedAt', { completedAt: '2026-11-25T18:30:00' }],
    ['completedAt', { completedAt: '2026-02-30T10:00:00Z' }],
    ['completedAt', { completedAt: '2026-11-25T18:06:00Z' }],
    ['durationSeconds', { durationSeconds: -1 }],
    ['durationSeconds', { durationSeconds: 86_401 }],
    ['durationSeconds', { durationSeconds: 12.5 }],
    ['durationSeconds', { durationSeconds: '1800' }],
    ['score', { score: 100.5 }],
    ['score', { score: '82' }],
    ['timezone', { timezone: 'Mars/Olympus_Mons' }],
  ])('rejects a bad %s as SCHEMA_VIOLATION naming the field', (field, change) => {
    const result = parse({ ...valid, ...change });
    expect(result).toMatchObject({ ok: false, code: 'SCHEMA_VIOLATION' });
    expect(result.ok ? '' : result.message).toContain(field);
  });

  it('accepts completedAt up to 5 minutes ahead of the engine clock', () => {
    expect(parse({ ...valid, completedAt: '2026-11-25T18:05:00Z' }).ok).toBe(true);
  });

  it.each([[42], [['an', 'array']], [null], ['"a string"']])('rejects the JSON value %j as SCHEMA_VIOLATION', (document) => {
    expect(parse(document)).toMatchObject({ ok: false, code: 'SCHEMA_VIOLATION' });
  });
});
