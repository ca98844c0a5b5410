import { firstOccurrences } from './first-occurrences';

describe('firstOccurrences', () => {
  it('keeps the first message of each eventId, whatever the later copies carry', () => {
    const original = { eventId: 'a', score: 56 };
    const retried = { eventId: 'a', score: 100 };
    const other = { eventId: 'b', score: 70 };

    expect(firstOccurrences([original, other, retried])).toEqual([original, other]);
    expect(firstOccurrences([retried, original, other])).toEqual([retried, other]);
  });

  it('keeps the order of first appearance', () => {
    const events = ['c', 'a', 'c', 'b', 'a'].map((eventId, index) => ({ eventId, index }));

    expect(firstOccurrences(events).map(({ index }) => index)).toEqual([0, 1, 3]);
  });
});
