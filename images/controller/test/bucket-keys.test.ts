/**
 * The bucket layout has one author: constructs/platform/bucket-keys.ts (on `BucketPrefix` of conventions.ts). Every
 * key the controller, the stacks and the constructs build comes from its builders; no TypeScript source spells a
 * prefix itself (comments may name the layout).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BucketPrefix } from '../../../constructs/platform';
import { adapterPrefix, fileKey, isFileKey, jobOutputPrefix, jobPrefix, keyUnder, modelIdOfPrefix, modelPrefix } from '../../../constructs/platform/bucket-keys';

const REPO = path.resolve(__dirname, '..', '..', '..');
const AUTHORS = new Set(['constructs/platform/bucket-keys.ts', 'constructs/platform/conventions.ts']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The code of a file without its comments (block comments, and line comments that start a line or follow code). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

test('Given ids, then the builders give the layout: files/<id>, jobs/<id>/, jobs/<id>/output/, models/<id>/, adapters/<id>/', () => {
  expect([fileKey('file-1'), jobPrefix('ftjob-1'), jobOutputPrefix('ftjob-1'), modelPrefix('org/m'), adapterPrefix('org/m:s:1')]).toEqual([
    'files/file-1',
    'jobs/ftjob-1/',
    'jobs/ftjob-1/output/',
    'models/org/m/',
    'adapters/org/m:s:1/',
  ]);
  expect([keyUnder('jobs/ftjob-1/output', 'events.jsonl'), keyUnder('jobs/ftjob-1/output/', '/checkpoints/step-2/')]).toEqual(['jobs/ftjob-1/output/events.jsonl', 'jobs/ftjob-1/output/checkpoints/step-2/']);
  expect([modelIdOfPrefix('models/org/m/'), modelIdOfPrefix('files/x')]).toEqual(['org/m', undefined]);
  expect([isFileKey('files/file-1'), isFileKey('jobs/ftjob-1/metrics.jsonl')]).toEqual([true, false]);
});

test('Given the TypeScript source of the controller, the stacks and the constructs, then no code but the conventions spells a bucket prefix', () => {
  // GIVEN every non-test .ts file, comments removed
  const files = [...sourceFiles('images/controller/src'), ...sourceFiles('stacks'), ...sourceFiles('constructs')].filter((f) => !AUTHORS.has(f));
  expect(files.length).toBeGreaterThan(100);
  // WHEN its code is searched for a prefix opening a string, a template or a template part
  const prefixes = Object.values(BucketPrefix).map((p) => p.replace('/', '\\/')).join('|');
  const literal = new RegExp(`['"\`}](${prefixes})`);
  const found = files.flatMap((f) =>
    withoutComments(fs.readFileSync(path.join(REPO, f), 'utf8'))
      .split('\n')
      .filter((line) => literal.test(line))
      .map((line) => `${f}: ${line.trim()}`),
  );
  // THEN there is none
  expect(found).toEqual([]);
});
