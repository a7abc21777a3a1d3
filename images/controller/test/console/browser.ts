/**
 * Headless Chromium for the console's tests: Debian's /usr/bin/chromium driven by playwright-core (never a browser
 * download), a fresh profile per launch, background networking off (the machine has no network). Collects what the
 * page reports: script errors and Content-Security-Policy violations, which the tests expect to stay empty.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from '../helpers/cli-process';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.join(REPO, 'test-output', 'console');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface Browser {
  readonly context: BrowserContext;
  /** Script errors and CSP violations seen on any page, as text. */
  readonly problems: string[];
  /** A new tab (its own sessionStorage) at 1280×800. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the console's browser tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it)`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
    });
  };
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    problems,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves `<name>-1280.png` at 1280×800 and `<name>-390.png` at 390×844 (full page), then restores 1280×800. Returns the
 * files and the page's scroll width at each size (wider than the viewport: the page scrolls sideways).
 */
export async function screenshots(page: Page, name: string): Promise<{ readonly files: readonly string[]; readonly scrollWidths: readonly number[] }> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const files: string[] = [];
  const scrollWidths: number[] = [];
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(300); // the chart redraws on resize
    const file = path.join(SCREENSHOTS, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: width === 390 });
    files.push(file);
    scrollWidths.push(await page.evaluate(() => document.documentElement.scrollWidth));
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  return { files, scrollWidths };
}

/** Signs in on the console at `url` with `key` (the sign-in form, as a user would). */
export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Fine-tuning jobs' }).waitFor();
}

/**
 * Builds the console with scripts/build-console.cjs: into dist/console, type-check included (what `vpctune up` serves),
 * or without the type-check into `outDir` (a private copy, so test files running at once never share a build).
 */
export function buildConsole(outDir?: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { build, typecheck } = require(path.join(REPO, 'scripts', 'build-console.cjs')) as { build: (out?: string) => unknown; typecheck: () => void };
  if (outDir === undefined) typecheck();
  build(outDir);
}
