/** Dates, durations and sizes as the pages show them. */
export function dateTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** How long until `seconds` (epoch), e.g. `in 3 min`; `—` when unknown. */
export function eta(seconds: number | null | undefined, nowMs: number = Date.now()): string {
  if (seconds === null || seconds === undefined) return '—';
  const left = Math.round(seconds - nowMs / 1000);
  if (left <= 0) return 'any moment';
  if (left < 90) return `in ${left} s`;
  if (left < 5400) return `in ${Math.round(left / 60)} min`;
  return `in ${(left / 3600).toFixed(1)} h`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString();
}

/** How long a run takes, e.g. `45 s`, `18 min`, `2.3 h`. */
export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const DOLLARS = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** US dollars to the cent, e.g. `$1,234.57`; `under $0.01` for less than a cent (but not nothing). */
export function usd(amount: number): string {
  return amount > 0 && amount < 0.005 ? 'under $0.01' : DOLLARS.format(amount);
}
