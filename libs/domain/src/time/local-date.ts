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
  const at = instant.getTime();
  if (!Number.isFinite(at)) {
    throw new RangeError(`cannot compute a local date in zone "${zone}"`);
  }
  const days = localDaysOfUtcDay(Math.floor(at / DAY_MS), zone, resolved);
  return days.find(({ end }) => at < end)!.date;
}

const DAY_MS = 86_400_000;

/** A local day: its date and the instant it ends (exclusive). */
interface LocalDay {
  readonly date: LocalDate;
  readonly end: number;
}

// Every event asks for local dates (its practice day, its leaderboard periods), and converting one
// instant costs a pass through Intl. The local days that a UTC day overlaps are the same for every
// instant of it, so they are computed once per zone and UTC day and kept (bounded).
const localDays = new Map<string, readonly LocalDay[]>();
const MAX_REMEMBERED_UTC_DAYS = 10_000;

function convertedDate(at: number, zone: IANAZone): LocalDate {
  const date = DateTime.fromMillis(at, { zone }).toISODate();
  if (date === null) {
    throw new RangeError(`cannot compute a local date in zone "${zone.name}"`);
  }
  return date;
}

/** The local days that overlap the UTC day, in order: together they cover it, from its first instant to its last. */
function localDaysOfUtcDay(utcDay: number, name: string, zone: IANAZone): readonly LocalDay[] {
  const key = `${name}|${utcDay}`;
  const known = localDays.get(key);
  if (known !== undefined) {
    return known;
  }
  const days: LocalDay[] = [];
  const last = (utcDay + 1) * DAY_MS;
  for (let at = utcDay * DAY_MS; at < last; ) {
    const date = convertedDate(at, zone);
    const end = endOfLocalDay(date, name).getTime();
    if (end <= at) {
      throw new RangeError(`local day ${date} in zone "${name}" ends before ${new Date(at).toISOString()}`);
    }
    days.push({ date, end });
    at = end;
  }
  if (localDays.size >= MAX_REMEMBERED_UTC_DAYS) {
    localDays.clear();
  }
  localDays.set(key, days);
  return days;
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
 * day skips (a DST gap) is moved forward by the gap (02:30 on a day that jumps from 02:00 to 03:00 is
 * 03:30); one it repeats is the later of the two.
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
 * The day number of a calendar date (1970-01-01 is 0), by the civil-from-days arithmetic of the
 * proleptic Gregorian calendar: every streak decision and sweep asks for it many times per user, and
 * parsing through Date costs more than the rest of the decision.
 */
export function epochDay(date: LocalDate): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The calendar date of a day number (the inverse of `epochDay`), by the same arithmetic. */
export function dateOfEpochDay(epoch: number): LocalDate {
  const z = epoch + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}
