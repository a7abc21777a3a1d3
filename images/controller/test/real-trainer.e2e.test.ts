/**
 * "Done when": a client written with the official `openai` Python SDK, pointed at `vpctune up --local` (a real
 * process), runs the whole flow against the REAL trainer on the tiny model: upload, create, follow, cancel, read
 * results, and gets OpenAI-shaped errors for bad input.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startUp, stopUp, testPython, type UpProcess } from './helpers/cli-process';

const KEY = 'sk-vpct-e2e-python-client-key-0123456789abcdef';
let up: UpProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-up-'));
  up = await startUp(['--port', '0', '--data-dir', dataDir], { VPCTUNE_API_KEY: KEY, VPCTUNE_PYTHON: testPython() });
}, 300_000);
afterAll(async () => {
  if (up !== undefined) await stopUp(up);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the official openai Python SDK runs the whole flow against vpctune up --local and the real trainer', () => {
  // WHEN the Python client runs against the platform
  const stdout = execFileSync(testPython(), [path.join(__dirname, 'fixtures', 'python-client', 'openai_flow.py'), up.baseUrl, KEY], { encoding: 'utf8', timeout: 280_000 });
  const r = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');

  // THEN the job ran on the real trainer to a fine-tuned model with its results
  expect(r.job).toMatchObject({ status: 'succeeded', error: null });
  expect(r.job.fine_tuned_model).toMatch(/^vpctune\/tiny-chat:py:[0-9a-f]{8}$/);
  expect(r.job.trained_tokens).toBeGreaterThan(0);
  expect(r.statuses_seen).toContain('running');
  expect(r.events).toEqual(expect.arrayContaining(['Fine-tuning job started', 'The job has successfully completed']));
  expect(r.events.some((m: string) => /^Step \d+\/8: training loss=\d+\.\d{4}$/.test(m))).toBe(true);
  expect(r.checkpoints.length).toBeGreaterThanOrEqual(1);
  expect(r.metrics_rows.length).toBeGreaterThanOrEqual(1);
  expect(Object.keys(r.metrics_rows[0]).sort()).toEqual(['epoch', 'hyperparameters', 'iteration', 'perplexity', 'time_since_job_start', 'train_loss', 'trained_tokens', 'valid_loss']);
  expect(r.adapter_tar_bytes).toBeGreaterThan(1024);
  expect(r.models).toEqual(expect.arrayContaining(['vpctune/tiny-chat', r.job.fine_tuned_model]));
  expect(fs.existsSync(path.join(dataDir, 'storage', 'adapters', ...String(r.job.fine_tuned_model).split('/'), 'adapter_model.safetensors'))).toBe(true);

  // AND a running job was cancelled
  expect(r.cancelled).toBe('cancelled');

  // AND bad input got the SDK's own exception classes with OpenAI-shaped fields
  expect(r.errors).toEqual({
    wrong_purpose: { class: 'BadRequestError', status: 400, code: 'invalid_value', param: 'purpose', message: 'Invalid \'purpose\': "batch"; allowed: fine-tune (this platform only fine-tunes).' },
    unknown_job: { class: 'NotFoundError', status: 404, code: 'fine_tuning_job_not_found', param: 'fine_tuning_job_id', message: "No fine-tuning job with id 'ftjob-nope' exists." },
    bad_epochs: { class: 'BadRequestError', status: 400, code: 'invalid_value', param: 'hyperparameters.n_epochs', message: 'Invalid \'hyperparameters.n_epochs\': 0 is out of range; allowed: "auto" or an integer from 1 to 50.' },
    bad_key: { class: 'AuthenticationError', status: 401, code: 'invalid_api_key', param: null, message: 'Incorrect API key provided: ***.' },
    cancel_twice: expect.objectContaining({ class: 'BadRequestError', status: 400, code: 'job_not_cancellable', param: 'fine_tuning_job_id' }),
  });
}, 300_000);
