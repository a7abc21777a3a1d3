/** The trainer environment's first build (one progress line, pip's output in a log) and the demo's log file sink. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jsonLogger, logFileSink } from '../src/ops/logger';

const REPO = path.resolve(__dirname, '..', '..', '..');

test('GIVEN pip that prints dozens of warnings and fails WHEN the trainer env is prepared THEN one progress line, the log keeps pip output, the failure names the log', () => {
  // GIVEN a python3 whose venv's pip writes 40 mirror warnings and exits 1
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-trainer-env-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const pip = '#!/bin/sh\nfor i in $(seq 1 40); do echo "WARNING: mirror $i unreachable" >&2; done\nexit 1\n';
  fs.writeFileSync(
    path.join(bin, 'python3'),
    `#!/bin/sh\nif [ "$2" = "venv" ]; then mkdir -p "$4/bin"; printf '%s' '${pip.replace(/'/g, "'\\''")}' > "$4/bin/python"; chmod +x "$4/bin/python"; fi\nexit 0\n`,
    { mode: 0o755 },
  );
  const venv = path.join(dir, 'venv');
  // WHEN
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'ensure-trainer-env.cjs'), venv], { env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` }, encoding: 'utf8' });
  // THEN
  expect(r.status).toBe(1);
  expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([
    `[trainer-env] preparing the trainer's Python environment in ${venv} (first run only; a few minutes; log: ${venv}.log)`,
    `[trainer-env] preparing the trainer's Python environment failed: pip install -r requirements-cpu.txt (exit code 1); the full log is ${venv}.log`,
  ]);
  expect(fs.readFileSync(`${venv}.log`, 'utf8').match(/WARNING: mirror \d+ unreachable/g)).toHaveLength(40);
});

test('GIVEN a log file sink WHEN a line is logged after close (shutdown) THEN nothing throws and only earlier lines are in the file', () => {
  // GIVEN
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-log-')), 'controller.log');
  const sink = logFileSink(file);
  const log = jsonLogger(sink.write);
  log.info('before');
  // WHEN
  sink.close();
  // THEN
  expect(() => log.warn('after close')).not.toThrow();
  expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['before']);
});

test('GIVEN a writer that throws (a closed descriptor) WHEN the logger logs THEN it does not throw', () => {
  const log = jsonLogger(() => {
    throw Object.assign(new Error('EBADF: bad file descriptor, write'), { code: 'EBADF' });
  });
  expect(() => log.error('late line')).not.toThrow();
});
