import { deterministicEventId, uuidOfDigest } from './event-id';

describe('deterministicEventId', () => {
  it('gives the ids consumers have already seen: a release never changes the id of a decision', () => {
    // Computed once with the first implementation (createHash over the namespace and the parts);
    // consumers deduplicate on these across upgrades, so they are pinned.
    expect(deterministicEventId('level.up', '8b0c5c8e-1d7e-4a53-9f7e-7f3f4c2d9a10', 'user-123', '2')).toBe('83a348f8-81de-576b-9767-9cd05439825f');
    expect(deterministicEventId('streak.frozen', 'user-123', '2026-11-20')).toBe('0768134e-87f7-57c7-be41-26fe68238c62');
  });

  it('is a version 5 UUID that changes with any part', () => {
    const id = deterministicEventId('streak.lost', 'user-123', '2026-11-20');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set([id, deterministicEventId('streak.lost', 'user-124', '2026-11-20'), deterministicEventId('streak.lost', 'user-123', '2026-11-21')]).size).toBe(3);
  });

  it('shapes any digest as a UUID of the version asked for, keeping all but the version and variant bits', () => {
    const digest = Buffer.from('ffffffffffffffffffffffffffffffff00', 'hex');
    expect(uuidOfDigest(digest, 8)).toBe('ffffffff-ffff-8fff-bfff-ffffffffffff');
    expect(uuidOfDigest(Buffer.alloc(20), 5)).toBe('00000000-0000-5000-8000-000000000000');
    // The digest itself is left as it was.
    expect(digest.toString('hex')).toBe('ffffffffffffffffffffffffffffffff00');
  });
});
