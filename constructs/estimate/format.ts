/** Number formatting shared by the table renderer. */

export function usd(x: number | undefined): string {
  if (x === undefined) return '-';
  if (x > 0 && x < 0.005) return '<$0.01';
  return `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Cost per 1M tokens: three decimals, so $0.045 and $0.50 both read right. */
export function usdPerMillion(x: number | undefined): string {
  return x === undefined ? '-' : `$${x.toFixed(3)}`;
}

export function integer(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

export function hours(x: number | undefined): string {
  if (x === undefined) return '-';
  if (x > 0 && x < 0.005) return '<0.01';
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** Left-aligned columns separated by two spaces. */
export function columns(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => (indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).trimEnd());
}
