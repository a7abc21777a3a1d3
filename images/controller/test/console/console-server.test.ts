/**
 * The console's server (src/console) without a browser: its pages and assets with the security headers, `/v1` handed
 * to the API's own handler (same answers, same auth), nothing else of the API's port reachable through it, its rate
 * limit per client address, and a clear error when the console was not built.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConsoleAssetsMissingError, loadConsoleAssets } from '../../src/console/console-assets';
import { startConsoleServer, type RunningConsole } from '../../src/console/console-server';
import { defaultConsolePort } from '../../src/console/platform-console';
import { CONSOLE_CSP } from '../../src/console/security-headers';
import { startTestPlatform, type TestPlatform } from '../helpers/test-platform';

let t: TestPlatform;
let web: RunningConsole;
let assetsDir: string;

function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-console-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title>');
  fs.writeFileSync(path.join(dir, 'app.js'), 'console.log("app");');
  fs.writeFileSync(path.join(dir, 'app.css'), 'body{margin:0}');
  return dir;
}

beforeAll(async () => {
  t = await startTestPlatform();
  assetsDir = fakeBuild();
  web = await startConsoleServer({ api: t.platform.server, port: 0, assets: loadConsoleAssets(assetsDir) });
});

afterAll(async () => {
  await web?.close();
  await t?.close();
  fs.rmSync(assetsDir, { recursive: true, force: true });
});

const SECURITY = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function securityHeaders(res: Response): Record<string, string | null> {
  return Object.fromEntries(Object.keys(SECURITY).map((k) => [k, res.headers.get(k)]));
}

test('GIVEN the built console WHEN its page and assets are fetched THEN each comes with its content type and the security headers (CSP without inline script or style, no framing, nosniff, no referrer)', async () => {
  // WHEN
  const page = await fetch(web.url);
  const script = await fetch(`${web.url}app.js`);
  const style = await fetch(`${web.url}app.css`);
  // THEN
  expect([page.status, page.headers.get('content-type'), await page.text()]).toEqual([200, 'text/html; charset=utf-8', '<!doctype html><title>console</title>']);
  expect([script.status, script.headers.get('content-type'), await script.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log("app");']);
  expect([style.status, style.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
  for (const res of [page, script, style]) expect(securityHeaders(res)).toEqual(SECURITY);
  expect(CONSOLE_CSP).not.toMatch(/unsafe-(inline|eval)/);
});

test('GIVEN a key of project alpha WHEN the console port is asked for /v1/models THEN the answer is the API port\'s, with the security headers; without a key it is the API\'s 401', async () => {
  // WHEN
  const viaConsole = await fetch(`${web.url}v1/models`, { headers: { authorization: `Bearer ${t.keyA}` } });
  const direct = await fetch(`${t.platform.url}/models`, { headers: { authorization: `Bearer ${t.keyA}` } });
  const anonymous = await fetch(`${web.url}v1/models`);
  // THEN
  expect(viaConsole.status).toBe(200);
  expect(await viaConsole.json()).toEqual(await direct.json());
  expect(securityHeaders(viaConsole)).toEqual(SECURITY);
  expect(anonymous.status).toBe(401);
  expect(((await anonymous.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  expect(securityHeaders(anonymous)).toEqual(SECURITY);
});

test('GIVEN the console port WHEN /metrics, /healthz, /admin/keys or an unknown path is asked THEN it is a 404 there (only /v1 is handed to the API); POST / is a 405', async () => {
  // WHEN
  const answers = await Promise.all(['metrics', 'healthz', 'admin/keys', 'v1x', 'index.js'].map(async (p) => [p, (await fetch(`${web.url}${p}`)).status]));
  const post = await fetch(web.url, { method: 'POST', body: 'x' });
  // THEN
  expect(answers).toEqual([['metrics', 404], ['healthz', 404], ['admin/keys', 404], ['v1x', 404], ['index.js', 404]]);
  expect([post.status, post.headers.get('allow'), await post.text()]).toEqual([405, 'GET, HEAD', 'Method POST is not allowed on /; allowed: GET, HEAD.']);
});

test('GIVEN a console limited to 2 page requests then 1/s per address WHEN a third comes at once THEN it is a 429 with Retry-After', async () => {
  // GIVEN
  const limited = await startConsoleServer({ api: t.platform.server, port: 0, assets: loadConsoleAssets(assetsDir), rateLimit: { perSecond: 1, burst: 2 }, nowMs: () => 1_000_000 });
  try {
    // WHEN
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await fetch(limited.url));
    // THEN
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(statuses[2]?.headers.get('retry-after')).toBe('1');
    expect(await statuses[2]?.text()).toBe('Too many requests from this address; retry after 1 s.');
  } finally {
    await limited.close();
  }
});

test('GIVEN a directory without the built console WHEN its assets are loaded THEN the error names the missing file and how to build it', () => {
  // GIVEN
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-console-empty-'));
  try {
    // WHEN / THEN
    expect(() => loadConsoleAssets(empty)).toThrow(ConsoleAssetsMissingError);
    expect(() => loadConsoleAssets(empty)).toThrow(`the console is not built: ${path.join(empty, 'index.html')} is missing (npm run build builds it)`);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('GIVEN an API port WHEN no console port is given THEN the console takes the next port, or a free one when the API\'s was picked freely', () => {
  expect([defaultConsolePort(8321), defaultConsolePort(0)]).toEqual([8322, 0]);
});
