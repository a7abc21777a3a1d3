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
