/**
 * The contract's idempotency rule for a sequence of events: the first message with an eventId is the
 * event, and every later one with that id is a duplicate that changes nothing, whatever its other
 * fields. The one place a run is de-duplicated, so that the result cannot depend on where a batch
 * boundary falls.
 */
export function firstOccurrences<T extends { readonly eventId: string }>(events: readonly T[]): T[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    if (seen.has(event.eventId)) {
      return false;
    }
    seen.add(event.eventId);
    return true;
  });
}
