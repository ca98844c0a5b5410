import { DateTime, IANAZone } from 'luxon';

/** A calendar date in some zone, as `YYYY-MM-DD`. */
export type LocalDate = string;

export const DEFAULT_TIME_ZONE = 'UTC';

// Resolving a zone name is the costliest step of a date conversion; there are a few hundred valid
// names, so the valid ones are kept (invalid ones are not, so arbitrary input cannot grow the cache).
const validZones = new Map<string, IANAZone>();

function zoneNamed(name: string): IANAZone | null {
  const known = validZones.get(name);
  if (known !== undefined) {
    return known;
  }
  if (!IANAZone.isValidZone(name)) {
    return null;
  }
  const zone = IANAZone.create(name);
  validZones.set(name, zone);
  return zone;
}

export function isValidTimeZone(zone: string): boolean {
  return zoneNamed(zone) !== null;
}

export function localDateOf(instant: Date, zone: string): LocalDate {
  const resolved = zoneNamed(zone);
  if (resolved === null) {
    throw new RangeError(`unknown time zone "${zone}"`);
  }
  const date = DateTime.fromJSDate(instant, { zone: resolved }).toISODate();
  if (date === null) {
    throw new RangeError(`cannot compute a local date in zone "${zone}"`);
  }
  return date;
}

// Instants of local times are asked for the same few (zone, date) pairs over and over, by every event
// and every sweep of a day: a bounded memo spares luxon's zone arithmetic.
const instants = new Map<string, number>();
const MAX_REMEMBERED_INSTANTS = 10_000;

function remembered(key: string, compute: () => Date): Date {
  const known = instants.get(key);
  if (known !== undefined) {
    return new Date(known);
  }
  const instant = compute();
  if (instants.size >= MAX_REMEMBERED_INSTANTS) {
    instants.clear();
  }
  instants.set(key, instant.getTime());
  return instant;
}

/** The instant the given local day ends in the zone: the next local midnight, whatever DST does that day. */
export function endOfLocalDay(date: LocalDate, zone: string): Date {
  return remembered(`${zone}|${date}|end`, () =>
    DateTime.fromISO(date, { zone: zoneNamed(zone) ?? zone }).plus({ days: 1 }).startOf('day').toJSDate(),
  );
}

/**
 * The instant a wall-clock time (`HH:MM`) falls on the given local day in the zone. A time that the
 * day skips (a DST gap) is the first instant after the gap; one it repeats is the later of the two.
 */
export function localTimeOn(date: LocalDate, time: string, zone: string): Date {
  return remembered(`${zone}|${date}|${time}`, () => {
    const instant = DateTime.fromISO(`${date}T${time}`, { zone: zoneNamed(zone) ?? zone });
    if (!instant.isValid) {
      throw new RangeError(`cannot place ${date} ${time} in zone "${zone}"`);
    }
    return instant.toJSDate();
  });
}

/**
 * Days between two calendar dates. Both are read as UTC midnights, which are exactly
 * 86,400,000 ms apart (UTC has no DST), so the division is exact for calendar dates.
 */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return epochDay(to) - epochDay(from);
}

export function epochDay(date: LocalDate): number {
  const [year, month, day] = date.split('-').map(Number);
  return Date.UTC(year, month - 1, day) / 86_400_000;
}
