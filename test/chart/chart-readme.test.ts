/**
 * charts/vpctune/README.md documents every value of values.yaml, and nothing that is not one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CHART } from './chart-harness';

/** Paths of the values: a mapping documented as a whole (`controller.resources`) stops the walk. */
function valuePaths(value: unknown, prefix: string, documented: ReadonlySet<string>): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0 || documented.has(prefix)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => valuePaths(v, prefix === '' ? k : `${prefix}.${k}`, documented));
}

test('GIVEN values.yaml and the README WHEN compared THEN every value has a row and every row is a value', () => {
  // GIVEN
  const values = parse(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const rows = [...fs.readFileSync(path.join(CHART, 'README.md'), 'utf8').matchAll(/^\| `([A-Za-z.]+)` \|/gm)].map((m) => m[1] as string);
  // WHEN
  const paths = valuePaths(values, '', new Set(rows));
  // THEN
  expect(paths.filter((p) => !rows.includes(p))).toEqual([]);
  expect(rows.filter((r) => !paths.includes(r))).toEqual([]);
  expect(rows.length).toBeGreaterThan(60);
});
