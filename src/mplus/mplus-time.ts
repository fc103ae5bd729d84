import type { MplusDate, MplusDateTime } from './soap/mplus.types.js';

// MplusKASSA takes wall-clock dates and times. MplusKASSA's own client sends Europe/Amsterdam
// time with its real UTC offset in minutes (60 in winter, 120 in summer) and `isdst` always false:
// the offset already says it. Sending isdst=true as well risks a server that adds the hour again
// entering a summer order an hour off, so the gateway sends what that client sends.

const ZONE = 'Europe/Amsterdam';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

export function toMplusDateTime(date: Date): MplusDateTime {
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    parts.formatToParts(date).find((part) => part.type === type)?.value ?? '';
  const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(get('timeZoneName'));
  const timezone = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  return {
    sec: Number(get('second')),
    min: Number(get('minute')),
    hour: Number(get('hour')),
    day: Number(get('day')),
    mon: Number(get('month')),
    year: Number(get('year')),
    isdst: false,
    timezone,
  };
}

export function toMplusDate(date: Date): MplusDate {
  const { day, mon, year } = toMplusDateTime(date);
  return { day, mon, year };
}

/** The instant of a wall-clock time with its offset; the server's own zone when it gives none. */
export function fromMplusDateTime(value: MplusDateTime | undefined): Date | null {
  if (!value || value.year === 0) return null;
  const utc = Date.UTC(value.year, value.mon - 1, value.day, value.hour, value.min, value.sec);
  return new Date(utc - value.timezone * 60_000);
}
