import fc from 'fast-check';
import { DateTime } from 'luxon';
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

  it.each([
    ['2026-02-29T10:00:00Z', 'not a leap year'],
    ['2026-04-31T10:00:00Z', 'April has 30 days'],
    ['2026-13-01T10:00:00Z', 'no month 13'],
    ['2026-00-10T10:00:00Z', 'no month 0'],
    ['2026-01-00T10:00:00Z', 'no day 0'],
    ['2026-01-01T24:00:00Z', 'no hour 24'],
    ['2026-01-01T23:60:00Z', 'no minute 60'],
    ['2026-01-01T23:59:60Z', 'a leap second'],
    ['2026-01-01T10:00:00+24:00', 'an offset of 24 hours'],
    ['2026-01-01T10:00:00+01:60', 'an offset minute of 60'],
    ['0000-01-01T10:00:00Z', 'year 0'],
  ])('rejects completedAt %s (%s) as not a real date and time', (completedAt) => {
    expect(parse({ ...valid, completedAt })).toMatchObject({ ok: false, code: 'SCHEMA_VIOLATION', message: `completedAt: ${completedAt} is not a real date and time` });
  });

  it.each(['0001-01-01T00:00:00+01:00', '0001-01-01T23:59:59Z', '0001-01-01T12:00:00-10:00'])(
    'rejects completedAt %s: its UTC or local date could fall in year 0, which Postgres cannot store',
    (completedAt) => {
      expect(parse({ ...valid, completedAt })).toMatchObject({ ok: false, code: 'SCHEMA_VIOLATION', message: `completedAt: ${completedAt} is before 0001-01-02, the earliest the engine can store` });
    },
  );

  it('accepts completedAt 0001-01-02T00:00:00Z, the earliest instant the engine can store', () => {
    expect(parse({ ...valid, completedAt: '0001-01-02T00:00:00Z' }).ok).toBe(true);
  });

  it.each([
    ['2024-02-29T10:00:00Z', '2024-02-29T10:00:00.000Z'],
    ['2000-02-29T23:59:59-05:30', '2000-03-01T05:29:59.000Z'],
    ['2026-01-01t10:00:00.123456789z', '2026-01-01T10:00:00.123Z'],
  ])('accepts completedAt %s as the instant %s', (completedAt, instant) => {
    const result = parse({ ...valid, completedAt });
    expect(result.ok ? result.session.completedAt.toISOString() : result.message).toBe(instant);
  });

  it('takes every timestamp of the contract shape exactly as luxon reads it (a real date or not, and its instant)', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((value) => String(value).padStart(2, '0'));
    const timestamp = fc
      .record({
        // From year 2: instants before 0001-01-02, which luxon takes, are refused (tests of their own above).
        year: fc.integer({ min: 2, max: 9999 }).map((value) => String(value).padStart(4, '0')),
        month: two(13),
        day: two(32),
        // Luxon takes hour 24 (as the next midnight), which RFC 3339 does not: a case of its own above.
        hour: two(23),
        minute: two(61),
        second: two(61),
        fraction: fc.option(fc.integer({ min: 0, max: 999_999_999 }).map((value) => `.${value}`), { nil: '' }),
        // Luxon takes offsets of +24:00 and +00:60, which RFC 3339 does not: cases of their own above.
        offset: fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), two(23), two(59)).map(([sign, hours, minutes]) => `${sign}${hours}:${minutes}`)),
      })
      .map(({ year, month, day, hour, minute, second, fraction, offset }) => `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${offset}`);
    fc.assert(
      fc.property(timestamp, (completedAt) => {
        const reference = DateTime.fromISO(completedAt, { setZone: true });
        // An engine clock at the last instant Date can hold, so that the clock-skew rule refuses none of these.
        const result = parseSessionCompleted(Buffer.from(JSON.stringify({ ...valid, completedAt })), new Date(8.64e15));
        expect(result.ok).toBe(reference.isValid);
        if (result.ok) {
          expect(result.session.completedAt.getTime()).toBe(reference.toMillis());
        }
      }),
      { seed: 18, numRuns: 5_000 },
    );
  });

  it('ignores a __proto__ field rather than letting it replace what the event is validated as', () => {
    const document = `{"__proto__":{"eventId":"x"},"userId":"user-123","sessionId":"s","completedAt":"2026-11-25T18:30:00+01:00","durationSeconds":60}`;
    expect(parseSessionCompleted(Buffer.from(document), now)).toMatchObject({ ok: false, code: 'SCHEMA_VIOLATION', message: expect.stringContaining('eventId') });
  });

  it('accepts completedAt up to 5 minutes ahead of the engine clock', () => {
    expect(parse({ ...valid, completedAt: '2026-11-25T18:05:00Z' }).ok).toBe(true);
  });

  it.each([[42], [['an', 'array']], [null], ['"a string"']])('rejects the JSON value %j as SCHEMA_VIOLATION', (document) => {
    expect(parse(document)).toMatchObject({ ok: false, code: 'SCHEMA_VIOLATION' });
  });
});
