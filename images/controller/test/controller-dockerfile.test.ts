/**
 * Static checks of images/controller/Dockerfile (no Docker daemon or registry is reachable on CI): pinned base images,
 * a non-root numeric user, no remote ADD, no baked-in secrets, production-only dependencies, compiled JavaScript (dist/)
 * only, only repository paths copied (and let through the ignore file), the probes and port the controller serves, an entrypoint that exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');
const DOCKERFILE = path.join(REPO, 'images', 'controller', 'Dockerfile');
const IGNORE_FILE = path.join(REPO, 'images', 'controller', 'Dockerfile.dockerignore');

interface Instruction {
  readonly op: string;
  readonly args: string;
  readonly line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
function parse(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (pending === undefined && (line === '' || line.startsWith('#'))) return;
    if (pending !== undefined && line.startsWith('#')) return;
    const joined = pending === undefined ? { text: line, line: i + 1 } : { text: `${pending.text} ${line}`, line: pending.line };
    if (joined.text.endsWith('\\')) {
      pending = { text: joined.text.slice(0, -1).trim(), line: joined.line };
      return;
    }
    pending = undefined;
    const m = /^(\S+)\s*(.*)$/.exec(joined.text);
    if (m !== null) out.push({ op: (m[1] ?? '').toUpperCase(), args: m[2] ?? '', line: joined.line });
  });
  return out;
}

/** Stages, each with its instructions. */
function stages(all: readonly Instruction[]): { readonly from: Instruction; readonly name?: string; readonly body: Instruction[] }[] {
  const out: { from: Instruction; name?: string; body: Instruction[] }[] = [];
  for (const ins of all) {
    if (ins.op === 'FROM') {
      const name = /\sAS\s+(\S+)$/i.exec(ins.args)?.[1];
      out.push({ from: ins, ...(name !== undefined ? { name } : {}), body: [] });
    } else out[out.length - 1]?.body.push(ins);
  }
  return out;
}

/** A tiny .dockerignore matcher for the patterns the ignore file uses (`**`, `dir`, `**\/name`, `!…`, last match wins). */
function ignored(rel: string, patterns: readonly string[]): boolean {
  const toRegex = (p: string) =>
    new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '\u0000')
        .replace(/\*\*/g, '.*')
        .replace(/\*/g, '[^/]*')
        .replace(/\u0000/g, '(?:.*/)?')}(?:/.*)?$`,
    );
  let result = false;
  for (const p of patterns) {
    const negate = p.startsWith('!');
    if (toRegex(negate ? p.slice(1) : p).test(rel)) result = !negate;
  }
  return result;
}

const text = fs.readFileSync(DOCKERFILE, 'utf8');
const all = parse(text);
const byStage = stages(all);
const final = byStage[byStage.length - 1];
const ignorePatterns = fs
  .readFileSync(IGNORE_FILE, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

describe('images/controller/Dockerfile', () => {
  test('is a multi-stage build whose every base image is pinned to an explicit version tag, never latest', () => {
    // GIVEN the FROM lines
    const stageNames = new Set(byStage.map((s) => s.name).filter((n): n is string => n !== undefined));
    const bases = byStage.map((s) => s.from.args.split(/\s+/)[0] ?? '').filter((image) => !stageNames.has(image));
    // THEN there are at least two stages, and each external base has a full x.y.z version tag on Node 20
    expect(byStage.length).toBeGreaterThanOrEqual(2);
    expect(bases.length).toBeGreaterThan(0);
    for (const image of bases) {
      expect({ image, tagged: /^[a-z0-9./-]+:[A-Za-z0-9._-]+$/.test(image), latest: /:latest$/.test(image) }).toEqual({ image, tagged: true, latest: false });
      expect(image).toMatch(/^node:20\.\d+\.\d+-[a-z]+(-slim)?$/);
    }
  });

  test('the base Node version satisfies the package.json engines range (>=20.19 on the 20 line)', () => {
    const engines = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=20.19 <21 || >=22');
    for (const s of byStage) {
      const m = /^node:20\.(\d+)\.(\d+)/.exec(s.from.args);
      if (m !== null) expect(Number(m[1])).toBeGreaterThanOrEqual(19);
    }
  });

  test('the final stage runs as a non-root numeric user and group', () => {
    const users = (final?.body ?? []).filter((i) => i.op === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1]?.args ?? '';
    expect(last).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = last.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    if (gid !== undefined) expect(gid).toBeGreaterThan(0);
  });

  test('no ADD of URLs (nor ADD at all) and no secrets in ENV, ARG or LABEL', () => {
    expect(all.filter((i) => i.op === 'ADD').map((i) => `line ${i.line}: ADD ${i.args}`)).toEqual([]);
    expect(all.filter((i) => /https?:\/\//.test(i.args) && i.op !== 'HEALTHCHECK').map((i) => `line ${i.line}: ${i.op} ${i.args}`)).toEqual([]);
    const secretish = /(SECRET|PASSWORD|PASSWD|TOKEN|ACCESS_KEY|ACCOUNT_KEY|PRIVATE_KEY|CREDENTIAL)/i;
    expect(all.filter((i) => ['ENV', 'ARG', 'LABEL'].includes(i.op) && secretish.test(i.args)).map((i) => `line ${i.line}: ${i.op} ${i.args}`)).toEqual([]);
  });

  test('the final image gets its dependencies from a lockfile install without dev dependencies or install scripts', () => {
    // GIVEN the stages and what the final stage copies from them
    const runs = all.filter((i) => i.op === 'RUN').map((i) => i.args);
    const copiedFrom = (final?.body ?? []).filter((i) => i.op === 'COPY').map((i) => /--from=(\S+)/.exec(i.args)?.[1]).filter((n): n is string => n !== undefined);
    // THEN every install is `npm ci` from the lockfile with install scripts off, never `npm install`
    expect(runs.filter((r) => /\bnpm (install|i)\b/.test(r))).toEqual([]);
    expect(runs.filter((r) => /\bnpm ci\b/.test(r) && !r.includes('--ignore-scripts'))).toEqual([]);
    // AND the final stage copies the application from exactly one stage, whose install omits dev dependencies
    expect(copiedFrom).toEqual(['build']);
    const build = byStage.find((st) => st.name === 'build');
    expect(build?.body.filter((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args)).map((i) => i.args.split(' && ')[0])).toEqual(['npm ci --omit=dev --ignore-scripts']);
  });

  test('runs the compiled JavaScript from dist/: TypeScript is compiled in its own stage and nothing compiles at run time', () => {
    // GIVEN the compile stage and the build stage the final image is copied from
    const compile = byStage.find((st) => st.name === 'compile');
    const build = byStage.find((st) => st.name === 'build');
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // THEN the compile stage builds dist/ with the package build's tsconfig
    expect(compile?.body.filter((i) => i.op === 'RUN').map((i) => i.args)).toEqual(['npm ci --ignore-scripts', 'npx tsc -b tsconfig.build.json && rm -f dist/.tsbuildinfo && node scripts/build-console.cjs']);
    // AND the build stage takes only dist/ from it (no sources, no dev dependencies) beside bin/ and smoke-tests the CLI
    expect(build?.body.filter((i) => i.op === 'COPY').map((i) => i.args)).toEqual(['package.json package-lock.json ./', 'bin ./bin', '--from=compile /app/dist ./dist']);
    expect(build?.body.filter((i) => i.op === 'RUN').map((i) => i.args).pop()).toBe('node bin/vpctune.cjs --help > /dev/null');
    // AND the CLI the image runs loads dist/, and neither tsx nor TypeScript is a production dependency
    expect(fs.readFileSync(path.join(REPO, 'bin', 'vpctune.cjs'), 'utf8')).toContain("path.join(__dirname, '..', 'dist', 'stacks', 'cli', 'main.js')");
    expect(Object.keys(pkg.dependencies).filter((d) => ['tsx', 'typescript', 'ts-node'].includes(d))).toEqual([]);
    expect(all.filter((i) => /\btsx\b/.test(i.args)).map((i) => `line ${i.line}: ${i.op} ${i.args}`)).toEqual([]);
  });

  test('copies only paths that exist in the repository and that the ignore file lets through', () => {
    // GIVEN every COPY from the build context (not from another stage)
    const sources = all
      .filter((i) => i.op === 'COPY' && !/--from=/.test(i.args))
      .flatMap((i) => {
        const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        return parts.slice(0, -1);
      });
    expect(sources.length).toBeGreaterThan(0);
    // THEN each exists relative to the repository root (the build context) and is not ignored
    for (const src of sources) {
      expect({ src, exists: fs.existsSync(path.join(REPO, src)) }).toEqual({ src, exists: true });
      expect({ src, ignored: ignored(src, ignorePatterns) }).toEqual({ src, ignored: false });
    }
    // AND every source file the CLI loads at run time is let through (tests are not)
    const walk = (rel: string): string[] =>
      fs.statSync(path.join(REPO, rel)).isDirectory() ? fs.readdirSync(path.join(REPO, rel)).filter((n) => n !== 'node_modules').flatMap((n) => walk(`${rel}/${n}`)) : [rel];
    const shipped = sources.flatMap(walk).filter((f) => !f.endsWith('.test.ts') && !f.split('/').includes('test'));
    expect(shipped.filter((f) => ignored(f, ignorePatterns))).toEqual([]);
    // AND what must never reach the context is ignored
    for (const p of ['node_modules/openai/package.json', '.git/config', '.venv/bin/python', 'images/trainer/Dockerfile', 'images/controller/test/api-suite.ts', 'constructs/catalog/catalog.test.ts', '.vpctune/local/controller.db']) {
      expect({ p, ignored: ignored(p, ignorePatterns) }).toEqual({ p, ignored: true });
    }
    expect(ignored('images/controller/src/storage/s3-storage.ts', ignorePatterns)).toBe(false);
  });

  test('the entrypoint is the vpctune CLI that ships in the image', () => {
    const entry = final?.body.filter((i) => i.op === 'ENTRYPOINT').pop();
    expect(entry?.args).toBe('["node", "/app/bin/vpctune.cjs"]');
    expect(fs.existsSync(path.join(REPO, 'bin', 'vpctune.cjs'))).toBe(true);
    expect(all.some((i) => i.op === 'COPY' && /^bin\s/.test(i.args))).toBe(true);
  });

  test('exposes the API port and probes the health endpoint the server answers; writes only to declared volumes', () => {
    // GIVEN the server source, which answers /healthz and /readyz
    const server = fs.readFileSync(path.join(REPO, 'images', 'controller', 'src', 'api', 'server.ts'), 'utf8');
    expect(server).toContain("url.pathname === '/healthz'");
    expect(server).toContain("url.pathname === '/readyz'");
    // THEN the image exposes 8321, its HEALTHCHECK asks /healthz there, and the probes are documented
    expect(final?.body.filter((i) => i.op === 'EXPOSE').map((i) => i.args)).toEqual(['8321 8322']);
    expect(final?.body.find((i) => i.op === 'HEALTHCHECK')?.args).toContain('http://127.0.0.1:8321/healthz');
    expect(text).toContain('GET /healthz (liveness) and GET /readyz (readiness) on port 8321');
    // AND the writable places (state, tmp) are volumes owned by the runtime user
    expect(final?.body.filter((i) => i.op === 'VOLUME').map((i) => i.args)).toEqual(['["/data", "/tmp"]']);
    expect(final?.body.some((i) => i.op === 'RUN' && i.args.includes('chown 10001:10001 /data'))).toBe(true);
    expect(final?.body.find((i) => i.op === 'ENV')?.args).toMatch(/TMPDIR=\/tmp/);
  });
});
