/** Units from largest to smallest, with how many milliseconds each holds. */
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
];

const FORMAT = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/**
 * How long ago a moment was, in words ("5 minutes ago", "yesterday"); anything within
 * the last minute (or a little in the future, from a skewed clock) is "just now".
 */
export function relativeTime(iso: string, now = Date.now()): string {
  const elapsed = now - Date.parse(iso);
  if (Number.isNaN(elapsed)) return '';
  for (const [unit, ms] of UNITS) {
    if (Math.abs(elapsed) >= ms) return FORMAT.format(-Math.round(elapsed / ms), unit);
  }
  return 'just now';
}
