/** A loss curve as terminal text and as an SVG picture. */
export interface LossPoint {
  readonly step: number;
  readonly loss: number;
}

export function asciiChart(points: readonly LossPoint[], width = 60, height = 12): string {
  if (points.length === 0) return '(no loss values)';
  const min = Math.min(...points.map((p) => p.loss));
  const max = Math.max(...points.map((p) => p.loss));
  const lastStep = Math.max(...points.map((p) => p.step));
  const grid = Array.from({ length: height }, () => Array.from({ length: width }, () => ' '));
  for (const p of points) {
    const x = Math.min(width - 1, Math.round(((p.step - (points[0]?.step ?? 0)) / Math.max(1, lastStep - (points[0]?.step ?? 0))) * (width - 1)));
    const y = max === min ? 0 : Math.round(((max - p.loss) / (max - min)) * (height - 1));
    const row = grid[y];
    if (row !== undefined) row[x] = '•';
  }
  const label = (v: number) => v.toFixed(3).padStart(8);
  const lines = grid.map((row, i) => `${i === 0 ? label(max) : i === height - 1 ? label(min) : ' '.repeat(8)} │${row.join('')}`);
  lines.push(`${' '.repeat(8)} └${'─'.repeat(width)}`, `${' '.repeat(10)}step ${points[0]?.step ?? 0}${' '.repeat(Math.max(1, width - 14))}step ${lastStep}`);
  return lines.join('\n');
}

export function svgChart(points: readonly LossPoint[], title: string): string {
  const w = 640;
  const h = 360;
  const pad = { l: 60, r: 20, t: 40, b: 44 };
  const steps = points.map((p) => p.step);
  const losses = points.map((p) => p.loss);
  const x0 = Math.min(...steps, 0);
  const x1 = Math.max(...steps, 1);
  const y0 = Math.min(...losses, 0);
  const y1 = Math.max(...losses, 1);
  const sx = (s: number) => pad.l + ((s - x0) / Math.max(1e-9, x1 - x0)) * (w - pad.l - pad.r);
  const sy = (v: number) => h - pad.b - ((v - y0) / Math.max(1e-9, y1 - y0)) * (h - pad.t - pad.b);
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.step).toFixed(1)},${sy(p.loss).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => y0 + f * (y1 - y0));
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="24" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    ...ticks.map((t) => `<line x1="${pad.l}" x2="${w - pad.r}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/><text x="${pad.l - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(2)}</text>`),
    `<line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="black"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${h - pad.b}" stroke="black"/>`,
    `<text x="${pad.l}" y="${h - pad.b + 18}" text-anchor="middle">${x0}</text><text x="${w - pad.r}" y="${h - pad.b + 18}" text-anchor="middle">${x1}</text>`,
    `<text x="${(pad.l + w - pad.r) / 2}" y="${h - 8}" text-anchor="middle">step</text>`,
    `<text x="16" y="${h / 2}" text-anchor="middle" transform="rotate(-90 16 ${h / 2})">training loss</text>`,
    `<path d="${line}" fill="none" stroke="#2563eb" stroke-width="2"/>`,
    ...points.map((p) => `<circle cx="${sx(p.step).toFixed(1)}" cy="${sy(p.loss).toFixed(1)}" r="2.5" fill="#2563eb"/>`),
    '</svg>',
    '',
  ].join('\n');
}
