/**
 * The web console in headless Chromium against `vpctune up --local` as a real process (compiled CLI in dist/, the fake
 * trainer: each job takes a few seconds and reports a loss per step). A user signs in, uploads a file, sees a
 * validation error at the field the API names, starts a job and watches its loss curve gain points until it succeeds,
 * cancels a second job, deletes the fine-tuned model; another project's key sees none of it. Screenshots of the job
 * page go to test-output/console/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO, startUp, stopUp, type UpProcess } from '../helpers/cli-process';
import { FAKE_TRAINER_DIR } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';
import { buildConsole, launchChromium, screenshots, signIn, type Browser } from './browser';

let root: string;
let up: UpProcess;
let browser: Browser;
let consoleUrl: string;
let keyDefault: string;
let keyOther: string;
let page: Page;
/** What the first project made: the succeeded job, its model, the cancelled job, the uploaded file. */
const made = { jobId: '', model: '', cancelledId: '', fileId: '' };

beforeAll(async () => {
  buildConsole();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-console-up-'));
  const env: Record<string, string> = {
    HOME: root,
    XDG_DATA_HOME: path.join(root, 'xdg-data'),
    XDG_CACHE_HOME: path.join(root, 'cache'),
    VPCTUNE_PYTHON: 'python3',
    PYTHONPATH: FAKE_TRAINER_DIR,
    VPCTUNE_API_KEY: '',
    FAKE_STEPS: '12',
    FAKE_STEP_SECONDS: '0.35',
  };
  const dataDir = path.join(root, 'data');
  up = await startUp(['--port', '0', '--data-dir', dataDir], env);
  consoleUrl = /console: {2}(http:\/\/\S+)/.exec(up.output())?.[1] ?? '';
  keyDefault = /API key: {2}(sk-vpct-\w+)/.exec(up.output())?.[1] ?? '';
  const other = spawnSync(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), 'keys', 'create', '--project', 'other', '--data-dir', dataDir], { env: { ...process.env, ...env }, encoding: 'utf8' });
  keyOther = other.stdout.trim();
  browser = await launchChromium();
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (up !== undefined) await stopUp(up, 'SIGINT');
  if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
});

test('GIVEN up --local WHEN it starts THEN it prints the console address on its own port and a key for each project', () => {
  expect(consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect(new URL(consoleUrl).port).not.toBe(new URL(up.baseUrl).port);
  expect(up.output()).toContain(`  console:  ${consoleUrl}  (sign in with an API key)\n`);
  expect([keyDefault, keyOther]).toEqual([expect.stringMatching(/^sk-vpct-\w{40}$/), expect.stringMatching(/^sk-vpct-\w{40}$/)]);
});

test('GIVEN the console WHEN a wrong key is tried, then the right one THEN the API\'s 401 message shows, then the jobs page; the key is in sessionStorage and in no URL', async () => {
  // WHEN a wrong key
  await page.goto(consoleUrl);
  await page.getByLabel('API key').fill('sk-vpct-wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // THEN the API's message
  await expect(page.getByRole('alert').filter({ hasText: 'Incorrect API key' }).textContent()).resolves.toContain('Incorrect API key');
  // WHEN the right key
  await signIn(page, consoleUrl, keyDefault);
  // THEN
  expect(await page.evaluate(() => sessionStorage.getItem('vpctune.apiKey'))).toBe(keyDefault);
  expect(page.url()).not.toContain(keyDefault);
  expect(await page.locator('main').textContent()).toContain('No jobs yet.');
});

test('GIVEN the files page WHEN a training file is uploaded THEN the progress bar completes and the file is listed', async () => {
  // WHEN
  await page.goto(`${consoleUrl}#/files`);
  await page.getByLabel('JSONL file').setInputFiles({ name: 'support.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(sftJsonl(40)) });
  await page.getByRole('button', { name: 'Upload' }).click();
  // THEN
  const uploaded = page.getByRole('status').filter({ hasText: 'Uploaded support.jsonl as' });
  await uploaded.waitFor();
  made.fileId = /as (file-\w+)\./.exec((await uploaded.textContent()) ?? '')?.[1] ?? '';
  expect(made.fileId).toMatch(/^file-/);
  expect(await page.locator('progress').evaluate((p: HTMLProgressElement) => [p.value, Number(p.dataset['loaded']) > 0])).toEqual([100, true]);
  expect(await page.locator(`tr[data-file="${made.fileId}"] td.filename`).textContent()).toBe('support.jsonl');
  expect((await screenshots(page, 'files-page')).scrollWidths).toEqual([1280, 390]);
});

test('GIVEN the new-job form WHEN epochs is 51 THEN the API\'s message shows at the Epochs field and no job is made', async () => {
  // WHEN
  await page.goto(`${consoleUrl}#/new-job`);
  await page.getByLabel('Training file').selectOption(made.fileId);
  await page.getByLabel('Epochs').fill('51');
  await page.getByRole('button', { name: 'Create job' }).click();
  // THEN
  const epochs = page.locator('.field[data-param="method.supervised.hyperparameters.n_epochs"]');
  await epochs.locator('.field-error p').waitFor();
  expect(await epochs.locator('.field-error').textContent()).toBe(`Invalid 'method.supervised.hyperparameters.n_epochs': 51 is out of range; allowed: "auto" or an integer from 1 to 50.`);
  expect(await epochs.getAttribute('class')).toBe('field invalid');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('n_epochs');
  expect(page.url()).toMatch(/#\/new-job$/);
  expect((await screenshots(page, 'new-job-error')).scrollWidths).toEqual([1280, 390]);
});

/** Creates a job from the form; resolves with its id once its page shows. */
async function createJob(suffix: string, epochs: string): Promise<string> {
  await page.goto(`${consoleUrl}#/new-job`);
  await page.getByLabel('Training file').selectOption(made.fileId);
  await page.getByLabel('Suffix').fill(suffix);
  await page.getByLabel('Epochs').fill(epochs);
  await page.getByLabel('Metadata').fill('team=support');
  await page.getByRole('button', { name: 'Create job' }).click();
  await page.waitForURL(/#\/jobs\/ftjob-/);
  return decodeURIComponent(page.url().split('#/jobs/')[1] ?? '');
}

async function chartPoints(): Promise<number> {
  return Number(await page.locator('figure.chart').getAttribute('data-points'));
}

test('GIVEN a job started from the form WHEN it runs THEN its loss curve gains points while it is running, and it succeeds with its settings, checkpoints and result files shown', async () => {
  // WHEN
  made.jobId = await createJob('acme', '1');
  // THEN while running, the chart has points and then more points
  await page.locator('[data-status="running"]').first().waitFor();
  const seen: number[] = [];
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    const points = await chartPoints();
    const running = (await page.locator('[data-status="running"]').count()) > 0;
    if (running && points > 0 && seen[seen.length - 1] !== points) seen.push(points);
    if (!running) break;
    await page.waitForTimeout(200);
  }
  expect(seen.length).toBeGreaterThanOrEqual(2);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  expect(await page.locator('canvas').count()).toBeGreaterThan(0);
  // AND it succeeds: 12 points, result files to download, checkpoints, the resolved adapter
  await page.locator('[data-status="succeeded"]').waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('figure.chart')?.getAttribute('data-points') === '12');
  await page.getByRole('button', { name: 'Download metrics.jsonl' }).waitFor();
  const main = (await page.locator('main').textContent()) ?? '';
  made.model = /Fine-tuned model(vpctune\/tiny-chat:acme:[0-9a-f]{8})/.exec(main)?.[1] ?? '';
  expect(made.model).not.toBe('');
  expect(main).toContain('12 steps; step 12: training loss 0.2500');
  expect(main).toContain('Estimated costno estimate for this job'); // the local executor runs on CPU: no GPU placement to price
  expect(await page.getByRole('table').filter({ hasText: 'ckpt-step-12' }).count()).toBe(1);
  expect(await page.locator('dl[aria-label="Adapter"]').textContent()).toBe('typelorar16alpha32dropout0.05target_modulesall-linear');
  expect(await page.locator('dl[aria-label="Metadata"]').textContent()).toBe('teamsupport');
  expect(await page.getByRole('button', { name: 'Cancel job' }).isHidden()).toBe(true);
  // AND the metrics file downloads with its name
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download metrics.jsonl' }).click()]);
  expect(download.suggestedFilename()).toBe('metrics.jsonl');
  expect(fs.readFileSync((await download.path()) as string, 'utf8').trim().split('\n')).toHaveLength(12);
  // AND the page is readable at 1280×800 and on a 390-pixel-wide phone
  const shots = await screenshots(page, 'job-page');
  expect(shots.files.map((s) => fs.statSync(s).size > 10_000)).toEqual([true, true]);
  expect(shots.scrollWidths).toEqual([1280, 390]);
  expect(browser.problems).toEqual([]);
}, 90_000);

test('GIVEN a slow job running WHEN Cancel job is pressed THEN it is cancelled, and the jobs list shows both jobs filterable by status and metadata', async () => {
  // GIVEN (each step of this job takes 50 × 0.35 s)
  made.cancelledId = await createJob('slow', '50');
  await page.locator('[data-status="running"]').first().waitFor({ timeout: 20_000 });
  // WHEN
  await page.getByRole('button', { name: 'Cancel job' }).click();
  // THEN
  await page.locator('.pairs [data-status="cancelled"]').waitFor({ timeout: 30_000 });
  await page.goto(`${consoleUrl}#/jobs`);
  await page.locator(`tr[data-job="${made.cancelledId}"]`).waitFor();
  expect((await screenshots(page, 'jobs-list')).scrollWidths).toEqual([1280, 390]);
  await page.getByLabel('Status').selectOption('cancelled');
  expect(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')))).toEqual([made.cancelledId]);
  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Metadata key').fill('team');
  await page.getByLabel('Metadata value').fill('nobody');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByText('No jobs yet.').waitFor();
}, 60_000);

test('GIVEN another project\'s key WHEN it signs in in a new tab THEN it sees no job, file or fine-tuned model of the first project, and the first project\'s job page is a 404', async () => {
  // GIVEN
  const other = await browser.newPage();
  try {
    // WHEN
    await signIn(other, consoleUrl, keyOther);
    // THEN
    await other.getByText('No jobs yet.').waitFor();
    await other.goto(`${consoleUrl}#/files`);
    await other.getByText('No files yet.').waitFor();
    await other.goto(`${consoleUrl}#/models`);
    await other.locator('tr[data-model="vpctune/tiny-chat"]').waitFor();
    expect(await other.locator(`tr[data-model="${made.model}"]`).count()).toBe(0);
    await other.goto(`${consoleUrl}#/jobs/${made.jobId}`);
    await other.getByRole('alert').filter({ hasText: made.jobId }).waitFor();
    expect(await other.getByRole('alert').filter({ hasText: made.jobId }).textContent()).toBe(`No fine-tuning job with id '${made.jobId}' exists.`);
  } finally {
    await other.close();
  }
});

test('GIVEN the fine-tuned model WHEN it is deleted from the models page THEN it is no longer listed', async () => {
  // WHEN
  await page.goto(`${consoleUrl}#/models`);
  await page.locator(`tr[data-model="${made.model}"]`).waitFor();
  expect((await screenshots(page, 'models-page')).scrollWidths).toEqual([1280, 390]);
  await page.getByRole('button', { name: `Delete ${made.model}` }).click();
  // THEN
  await page.getByRole('status').filter({ hasText: `Deleted ${made.model}.` }).waitFor();
  expect(await page.locator(`tr[data-model="${made.model}"]`).count()).toBe(0);
  expect(await page.locator('tr[data-model="vpctune/tiny-chat"]').count()).toBe(1);
  expect(browser.problems).toEqual([]);
});
