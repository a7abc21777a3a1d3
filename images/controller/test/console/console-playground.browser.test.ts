/**
 * The console's playground and its handling of user-supplied strings, in headless Chromium against a platform in this
 * process whose base model is served by a fake upstream (test/serving/fake-upstream.ts: OpenAI's chat completion
 * shapes, one word per stream chunk): a fine-tuned model and its base answer side by side, streamed; file names,
 * metadata values and error messages holding markup are shown as text and run nothing. Screenshots of the playground
 * go to test-output/console/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toFile } from 'openai';
import type { Page } from 'playwright-core';
import { loadConsoleAssets } from '../../src/console/console-assets';
import { startConsoleServer, type RunningConsole } from '../../src/console/console-server';
import { BASE_MODEL, startTestPlatform, waitFor, type TestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';
import { replyOf, startFakeUpstream, type FakeUpstream } from '../serving/fake-upstream';
import { buildConsole, launchChromium, screenshots, signIn, type Browser } from './browser';

const MARKUP_NAME = '<img src=x onerror=window.__xss=1>.jsonl';
const MARKUP_VALUE = '<img src=x onerror=window.__xss=2><script>window.__xss=3</script>';
const MARKUP_SEED = '<img src=x onerror=window.__xss=4>';

let upstream: FakeUpstream;
let t: TestPlatform;
let web: RunningConsole;
let browser: Browser;
let page: Page;
let buildDir: string;
let fineTuned = '';
let jobId = '';
let fileId = '';

beforeAll(async () => {
  buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-console-build-'));
  buildConsole(buildDir);
  upstream = await startFakeUpstream();
  t = await startTestPlatform({ fakeTrainerEnv: { FAKE_STEPS: '4', FAKE_STEP_SECONDS: '0.01' }, serving: { upstreams: [{ model: BASE_MODEL, urls: [upstream.url] }] } });
  web = await startConsoleServer({ api: t.platform.server, port: 0, assets: loadConsoleAssets(buildDir) });
  const a = t.client(t.keyA);
  const file = await a.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), MARKUP_NAME), purpose: 'fine-tune' });
  fileId = file.id;
  const job = await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file.id, suffix: 'play', metadata: { note: MARKUP_VALUE } });
  jobId = job.id;
  const done = await waitFor('the job to succeed', async () => {
    const j = await a.fineTuning.jobs.retrieve(job.id);
    return j.status === 'succeeded' ? j : undefined;
  });
  fineTuned = done.fine_tuned_model ?? '';
  browser = await launchChromium();
  page = await browser.newPage();
  await signIn(page, web.url, t.keyA);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await t?.close();
  await upstream?.close();
  if (buildDir !== undefined) fs.rmSync(buildDir, { recursive: true, force: true });
});

test('GIVEN a fine-tuned model WHEN a message is sent in the playground THEN the model and its base answer side by side, each streamed in several chunks', async () => {
  // GIVEN
  await page.goto(`${web.url}#/playground/${encodeURIComponent(fineTuned)}`);
  await page.getByRole('heading', { name: `Base: ${BASE_MODEL}` }).waitFor();
  expect(await page.getByLabel('Fine-tuned model').inputValue()).toBe(fineTuned);
  // WHEN
  await page.getByLabel('Message').fill('What is 2 plus 2?');
  await page.getByRole('button', { name: 'Send' }).click();
  // THEN both answers arrive, each in as many chunks as the upstream sent words
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.answer')).every((a) => a.getAttribute('data-streaming') === 'false'));
  const answers = await page.locator('.answer').evaluateAll((els) => els.map((e) => [e.textContent, e.getAttribute('data-chunks')]));
  expect(answers).toEqual([
    [replyOf(fineTuned), String(replyOf(fineTuned).split(' ').length)],
    [replyOf(BASE_MODEL), String(replyOf(BASE_MODEL).split(' ').length)],
  ]);
  // AND the upstream was asked for a stream of each model, with the conversation as sent
  const asked = upstream.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => [r.body['model'], r.body['stream'], r.body['messages']]);
  expect(asked).toEqual(
    expect.arrayContaining([
      [fineTuned, true, [{ role: 'user', content: 'What is 2 plus 2?' }]],
      [BASE_MODEL, true, [{ role: 'user', content: 'What is 2 plus 2?' }]],
    ]),
  );
  expect(await page.locator('.pane h2').allTextContents()).toEqual([`Fine-tuned: ${fineTuned}`, `Base: ${BASE_MODEL}`]);
  const shots = await screenshots(page, 'playground');
  expect(shots.files.map((s) => fs.statSync(s).size > 5_000)).toEqual([true, true]);
  expect(shots.scrollWidths).toEqual([1280, 390]);
  expect(browser.problems).toEqual([]);
});

test('GIVEN a file name, a metadata value and an invalid seed holding markup WHEN the files page, the job page and the form\'s error show them THEN they appear as text and no script runs', async () => {
  // WHEN the files page lists the file
  await page.goto(`${web.url}#/files`);
  const nameCell = page.locator(`tr[data-file="${fileId}"] td.filename`);
  await nameCell.waitFor();
  // THEN its name is the cell's text, not markup
  expect(await nameCell.textContent()).toBe(MARKUP_NAME);
  expect(await nameCell.locator('*').count()).toBe(0);
  // WHEN the job page shows the metadata value
  await page.goto(`${web.url}#/jobs/${jobId}`);
  await page.locator('dl[aria-label="Metadata"] dd').waitFor();
  expect(await page.locator('dl[aria-label="Metadata"] dd').textContent()).toBe(MARKUP_VALUE);
  // WHEN the API refuses a seed holding markup, its message (which quotes the value) shows at the field
  await page.goto(`${web.url}#/new-job`);
  await page.getByLabel('Training file').selectOption(fileId);
  await page.getByLabel('Seed').fill(MARKUP_SEED);
  await page.getByRole('button', { name: 'Create job' }).click();
  const seedError = page.locator('.field[data-param="seed"] .field-error');
  await seedError.locator('p').waitFor();
  expect(await seedError.textContent()).toContain(JSON.stringify(MARKUP_SEED));
  // THEN nothing ran and no element came from the data
  expect(await page.evaluate(() => [(window as unknown as { __xss?: number }).__xss ?? null, document.querySelectorAll('img, main script').length])).toEqual([null, 0]);
  expect(browser.problems).toEqual([]);
});

/** The text of the summary's value for `name` on the job page. */
async function summaryValue(name: string): Promise<string | null> {
  const dd = page.locator(`xpath=//dl[@aria-label="Summary"]/dt[.="${name}"]/following-sibling::dd[1]`);
  await dd.waitFor();
  return dd.textContent();
}

/** Answers the job's GET with the API's own answer plus `estimate` (a local platform places no job on GPUs). */
async function serveJobWithEstimate(estimate: Record<string, unknown>): Promise<void> {
  await page.unroute(`**/v1/fine_tuning/jobs/${jobId}`);
  await page.route(`**/v1/fine_tuning/jobs/${jobId}`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: { ...((await response.json()) as Record<string, unknown>), estimate } });
  });
}

test('GIVEN a job object carrying the estimate field as the Kubernetes executor fills it WHEN its page shows THEN the summary gives the cost at the pool\'s prices first and where it runs, as text', async () => {
  // GIVEN a job on the spot A10G pool (the figures of the controller README's example)
  await serveJobWithEstimate({ run_seconds: 1104, pool: 'a10g', gpu: 'A10G', instance_type: 'g5.2xlarge', gpus: 1, capacity: 'spot', on_demand_usd: 0.3717, spot_usd: 0.1487 });
  // WHEN
  await page.goto(`${web.url}#/jobs/${jobId}`);
  // THEN
  expect(await summaryValue('Estimated cost')).toBe('$0.15 at spot prices ($0.37 on demand)');
  expect(await summaryValue('Placement')).toBe('1 A10G GPU on pool a10g (g5.2xlarge, spot) for about 18 min');
  const shots = await screenshots(page, 'job-page-estimate');
  expect(shots.scrollWidths).toEqual([1280, 390]);

  // GIVEN a full fine-tune on two on-demand H100 nodes
  await serveJobWithEstimate({ run_seconds: 30_600, pool: 'h100', gpu: 'H100', instance_type: 'p5.48xlarge', gpus: 16, capacity: 'on-demand', on_demand_usd: 935.68, spot_usd: 421.056 });
  // WHEN
  await page.reload();
  // THEN on-demand comes first, with thousands and cents
  await page.getByText('16 H100 GPUs on pool h100 (p5.48xlarge, on-demand) for about 8.5 h').waitFor();
  expect(await summaryValue('Estimated cost')).toBe('$935.68 on demand ($421.06 at spot prices)');

  // GIVEN a spot-only shape (no on-demand price) and a run of cents
  await serveJobWithEstimate({ run_seconds: 40, pool: 'a100', gpu: 'A100-80GB', instance_type: 'a3-flex', gpus: 1, capacity: 'spot', on_demand_usd: null, spot_usd: 0.0042 });
  await page.reload();
  await page.getByText('1 A100-80GB GPU on pool a100 (a3-flex, spot) for about 40 s').waitFor();
  expect(await summaryValue('Estimated cost')).toBe('under $0.01 at spot prices');

  // GIVEN no estimate (the local executor's jobs)
  await page.unroute(`**/v1/fine_tuning/jobs/${jobId}`);
  await page.reload();
  expect(await summaryValue('Estimated cost')).toBe('no estimate for this job');
  expect(await page.locator('xpath=//dl[@aria-label="Summary"]/dt[.="Placement"]').count()).toBe(0);
  expect(browser.problems).toEqual([]);
});

test('GIVEN a job whose events share their seconds WHEN its page shows THEN the events are listed in the API\'s order (newest first by sequence)', async () => {
  // GIVEN the API's events of the job (a 4-step run of the fake trainer: many events in one second)
  const fromApi = (await t.client(t.keyA).fineTuning.jobs.listEvents(jobId, { limit: 100 })).data;
  expect(new Set(fromApi.map((e) => e.created_at)).size).toBeLessThan(fromApi.length);
  // WHEN
  await page.goto(`${web.url}#/jobs/${jobId}`);
  await page.locator('ol.events li').first().waitFor();
  // THEN each item's message (the text after its time) in the API's order
  const shown = await page.locator('ol.events li').evaluateAll((items) => items.map((li) => li.lastChild?.textContent ?? ''));
  expect(shown).toEqual(fromApi.map((e) => e.message));
  expect(browser.problems).toEqual([]);
});
