/** Dates as readers see them, in the page's time zone and language (a BCP 47 locale; British English by default). */

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, kind: 'time' | 'month' | 'day', locale: string): Intl.DateTimeFormat {
  const key = `${timeZone}|${kind}|${locale}`;
  let f = formats.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'time'
        ? {
            timeZone,
            day: 'numeric',
            month: 'short',
            year: 'numeric',
            hour: '2-digit',
            minute: '2-digit',
            hourCycle: 'h23',
            timeZoneName: 'short',
          }
        : kind === 'month'
          ? { timeZone, month: 'long', year: 'numeric' }
          : { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' };
    f = new Intl.DateTimeFormat(locale, options);
    formats.set(key, f);
  }
  return f;
}

/** "27 Nov 2026, 10:05 CET" in the page's time zone. */
export function formatInstant(iso: string, timeZone: string, locale = 'en-GB'): string {
  return formatter(timeZone, 'time', locale).format(new Date(iso));
}

/** "November 2026": the history page's month headings. */
export function formatMonth(iso: string, timeZone: string, locale = 'en-GB'): string {
  return formatter(timeZone, 'month', locale).format(new Date(iso));
}

/** A UTC calendar day, "27 Nov 2026", for the uptime bars. */
export function formatDay(date: string, locale = 'en-GB'): string {
  return formatter('UTC', 'day', locale).format(new Date(`${date}T00:00:00Z`));
}

const monthKeyFormats = new Map<string, Intl.DateTimeFormat>();

/** The month key "2026-11" of an instant in the page's time zone, for grouping. */
export function monthKey(iso: string, timeZone: string): string {
  // Building a DateTimeFormat costs far more than using one: keep one per zone.
  let f = monthKeyFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
    monthKeyFormats.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(iso));
  const y = parts.find((p) => p.type === 'year')?.value ?? '0000';
  const m = parts.find((p) => p.type === 'month')?.value ?? '01';
  return `${y}-${m}`;
}
