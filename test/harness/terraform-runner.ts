/**
 * Runs terraform over a synthesized cdktf stack in a throw-away working directory.
 *
 *   const ws = await TerraformWorkspace.create(stackDirectory(outdir, 'small'), { transform: applyOfflineOverrides });
 *   try {
 *     await ws.init();
 *     const v = await ws.validate();      // v.valid, v.diagnostics
 *     const p = await ws.plan();          // p.hasChanges, p.changes
 *   } finally { ws.dispose(); }
 *
 * or the whole cycles: `planOffline(stackDir)` and `runEmulatorLifecycle(stackDir, { endpoint })`.
 *
 * Commands run asynchronously (a blocked event loop would stop draining the emulator's output pipe), each in its
 * own process group so a timeout also ends the provider plugin, with `-no-color -input=false`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEmulatorOverrides, EmulatorOverrideOptions } from './emulator-overrides';
import { applyOfflineOverrides, OfflineOverrideOptions } from './offline-overrides';
import { Override, OverrideResult, TerraformJson } from './stack-json';
import { TerraformEnv, terraformEnv } from './terraform-env';

export type TerraformStep = 'init' | 'validate' | 'plan' | 'apply' | 'show' | 'destroy';

/** Default time allowed per step, in ms. */
export const DEFAULT_TIMEOUTS_MS: Readonly<Record<TerraformStep, number>> = {
  init: 120_000,
  validate: 60_000,
  plan: 180_000,
  show: 60_000,
  apply: 600_000,
  destroy: 600_000,
};

/** The file name cdktf gives a stack's Terraform JSON. */
export const STACK_FILE = 'cdk.tf.json';

/** `<outdir>/stacks/<stackName>`: where cdktf writes a stack. */
export function stackDirectory(outdir: string, stackName: string): string {
  return path.join(outdir, 'stacks', stackName);
}

export interface CommandResult {
  readonly step: TerraformStep;
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly durationMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A terraform command failed or ran out of time. The message carries the command, exit code and stderr. */
export class TerraformCommandError extends Error {
  constructor(
    readonly result: CommandResult,
    readonly timedOut: boolean,
    readonly workDir: string,
  ) {
    const what = timedOut ? `timed out after ${result.durationMs} ms` : `failed (exit ${result.exitCode})`;
    const detail = (result.stderr.trim() || result.stdout.trim()).slice(-6000);
    super(`terraform ${result.args.join(' ')} ${what} in ${workDir}:\n${detail}`);
    this.name = 'TerraformCommandError';
  }
}

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { readonly filename: string; readonly start: { readonly line: number; readonly column: number } };
}

export interface ValidateResult extends CommandResult {
  readonly valid: boolean;
  readonly errorCount: number;
  readonly warningCount: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** One resource the plan would change. */
export interface ResourceChange {
  /** e.g. `aws_eks_node_group.gpu`. */
  readonly address: string;
  readonly type: string;
  /** Terraform's actions: `create`, `update`, `delete`, `read`, or `delete`+`create` (replace). */
  readonly actions: readonly string[];
  /** Top-level attributes whose planned value differs from the current one (or is unknown after apply). */
  readonly changedAttributes: readonly string[];
  /** Attribute paths that force replacement, when terraform says so. */
  readonly replacePaths: readonly string[];
}

export interface PlanResult extends CommandResult {
  /** `-detailed-exitcode` 2. */
  readonly hasChanges: boolean;
  /** Resources with actions other than no-op. */
  readonly changes: readonly ResourceChange[];
  /** Names of outputs that change. */
  readonly outputChanges: readonly string[];
  readonly planFile: string;
}

export interface WorkspaceOptions {
  /** @default terraformEnv() */
  readonly env?: TerraformEnv;
  /** Applied to the stack JSON before it is written into the working directory (e.g. applyOfflineOverrides). */
  readonly transform?: (json: TerraformJson) => OverrideResult | TerraformJson;
  /** Parent of the working directory. @default os.tmpdir() */
  readonly parentDir?: string;
  readonly timeoutsMs?: Partial<Record<TerraformStep, number>>;
}

function isOverrideResult(v: OverrideResult | TerraformJson): v is OverrideResult {
  return Array.isArray((v as OverrideResult).overrides) && typeof (v as OverrideResult).json === 'object';
}

function copyStackDir(src: string, dest: string): void {
  fs.cpSync(src, dest, {
    recursive: true,
    filter: (p) => {
      const base = path.basename(p);
      return base !== '.terraform' && !base.endsWith('.tfstate') && !base.endsWith('.tfstate.backup') && base !== 'plan.out';
    },
  });
}

/** Short human list of changes, one line each: `aws_eks_cluster.c update [access_config]`. */
export function formatChanges(changes: readonly ResourceChange[]): string {
  return changes
    .map((c) => {
      const action = c.actions.includes('delete') && c.actions.includes('create') ? 'replace' : c.actions.join('+');
      const forced = c.replacePaths.length > 0 ? ` (forces replacement: ${c.replacePaths.join(', ')})` : '';
      return `${c.address} ${action} [${c.changedAttributes.join(', ')}]${forced}`;
    })
    .join('\n');
}

interface PlanJson {
  resource_changes?: Array<{
    address: string;
    type: string;
    mode?: string;
    change: { actions: string[]; before?: unknown; after?: unknown; after_unknown?: unknown; replace_paths?: unknown[][] };
  }>;
  output_changes?: Record<string, { actions: string[] }>;
}

/** `after_unknown` marks unknown leaves with `true` inside nested objects/arrays of `false`/`{}`. */
function containsTrue(v: unknown): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(containsTrue);
  if (v !== null && typeof v === 'object') return Object.values(v).some(containsTrue);
  return false;
}

function changedKeys(before: unknown, after: unknown, unknown: unknown): string[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const u = (unknown ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(b), ...Object.keys(a), ...Object.keys(u)]);
  return [...keys].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]) || containsTrue(u[k])).sort();
}

/** Parses `terraform show -json <plan>` into the changes that are not no-ops. */
export function parsePlanChanges(planJson: string): { changes: ResourceChange[]; outputChanges: string[] } {
  const plan = JSON.parse(planJson) as PlanJson;
  const changes: ResourceChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const actions = rc.change.actions;
    if (actions.length === 1 && actions[0] === 'no-op') continue;
    changes.push({
      address: rc.address,
      type: rc.type,
      actions,
      changedAttributes: changedKeys(rc.change.before, rc.change.after, rc.change.after_unknown),
      replacePaths: (rc.change.replace_paths ?? []).map((p) => p.join('.')),
    });
  }
  const outputChanges = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => !(c.actions.length === 1 && c.actions[0] === 'no-op'))
    .map(([name]) => name);
  return { changes, outputChanges };
}

/** A working copy of one synthesized stack, with methods per terraform command. */
export class TerraformWorkspace {
  /** The document written into the working directory (after the transform). */
  readonly json: TerraformJson;
  /** What the transform overrode (empty without one). */
  readonly overrides: readonly Override[];
  private disposed = false;

  private constructor(
    readonly dir: string,
    readonly env: TerraformEnv,
    json: TerraformJson,
    overrides: readonly Override[],
    private readonly timeoutsMs: Readonly<Record<TerraformStep, number>>,
  ) {
    this.json = json;
    this.overrides = overrides;
  }

  /** Copies `stackDir` (a directory holding `cdk.tf.json`) into a fresh temp dir and writes the transformed JSON. */
  static create(stackDir: string, options: WorkspaceOptions = {}): TerraformWorkspace {
    const source = path.join(stackDir, STACK_FILE);
    if (!fs.existsSync(source)) throw new Error(`no ${STACK_FILE} in ${stackDir} (expected a cdktf stack directory: <outdir>/stacks/<name>)`);
    const env = options.env ?? terraformEnv();
    const original = JSON.parse(fs.readFileSync(source, 'utf8')) as TerraformJson;
    const transformed = options.transform === undefined ? { json: original, overrides: [] } : options.transform(original);
    const { json, overrides } = isOverrideResult(transformed) ? transformed : { json: transformed, overrides: [] };
    const dir = fs.mkdtempSync(path.join(options.parentDir ?? os.tmpdir(), `vpctune-tf-${path.basename(stackDir)}-`));
    copyStackDir(stackDir, dir);
    fs.writeFileSync(path.join(dir, STACK_FILE), JSON.stringify(json, null, 2));
    return new TerraformWorkspace(dir, env, json, overrides, { ...DEFAULT_TIMEOUTS_MS, ...options.timeoutsMs });
  }

  /** Runs `terraform <args>`; resolves with the result whatever the exit code, rejects only on timeout/spawn error. */
  run(step: TerraformStep, args: readonly string[]): Promise<CommandResult> {
    if (this.disposed) return Promise.reject(new Error(`workspace ${this.dir} was disposed`));
    const timeoutMs = this.timeoutsMs[step];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(this.env.terraformBinary, args, { cwd: this.dir, env: { ...this.env.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`could not run ${this.env.terraformBinary} ${args.join(' ')}: ${e.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const result: CommandResult = {
          step,
          args,
          exitCode: code ?? -1,
          durationMs: Date.now() - started,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        };
        if (timedOut) reject(new TerraformCommandError(result, true, this.dir));
        else resolve(result);
      });
    });
  }

  private async runOk(step: TerraformStep, args: readonly string[], okCodes: readonly number[] = [0]): Promise<CommandResult> {
    const r = await this.run(step, args);
    if (!okCodes.includes(r.exitCode)) throw new TerraformCommandError(r, false, this.dir);
    return r;
  }

  /** `terraform init -input=false` (the local backend the transform set, or the stack's own). */
  init(): Promise<CommandResult> {
    return this.runOk('init', ['init', '-input=false', '-no-color']);
  }

  /** `terraform validate -json`; an invalid configuration resolves with `valid: false` and its diagnostics. */
  async validate(): Promise<ValidateResult> {
    const r = await this.run('validate', ['validate', '-json', '-no-color']);
    let parsed: { valid: boolean; error_count: number; warning_count: number; diagnostics: Diagnostic[] };
    try {
      parsed = JSON.parse(r.stdout) as typeof parsed;
    } catch {
      throw new TerraformCommandError(r, false, this.dir);
    }
    return { ...r, valid: parsed.valid, errorCount: parsed.error_count, warningCount: parsed.warning_count, diagnostics: parsed.diagnostics };
  }

  /**
   * `terraform plan -detailed-exitcode -out <file>`, then `show -json` for the changes. Throws on exit 1.
   * `details`: when to run `show -json` (it starts the provider again, seconds on a small machine):
   * `always` (default), `if-changes` (a re-plan that is expected empty), `never` (changes left empty).
   */
  async plan(planFile = 'plan.out', options: { details?: 'always' | 'if-changes' | 'never' } = {}): Promise<PlanResult> {
    const r = await this.runOk('plan', ['plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${planFile}`], [0, 2]);
    const hasChanges = r.exitCode === 2;
    const details = options.details ?? 'always';
    if (details === 'never' || (details === 'if-changes' && !hasChanges)) return { ...r, hasChanges, changes: [], outputChanges: [], planFile };
    const shown = await this.runOk('show', ['show', '-json', '-no-color', planFile]);
    const { changes, outputChanges } = parsePlanChanges(shown.stdout);
    return { ...r, hasChanges, changes, outputChanges, planFile };
  }

  /** `terraform apply -auto-approve`, of a saved plan when given. */
  apply(planFile?: string): Promise<CommandResult> {
    return this.runOk('apply', ['apply', '-input=false', '-no-color', '-auto-approve', ...(planFile === undefined ? [] : [planFile])]);
  }

  /**
   * `terraform destroy -auto-approve`. `refresh: false` skips the refresh before destroying (one provider start
   * less), safe right after an apply or plan that refreshed.
   */
  destroy(options: { refresh?: boolean } = {}): Promise<CommandResult> {
    const refresh = options.refresh === false ? ['-refresh=false'] : [];
    return this.runOk('destroy', ['destroy', '-input=false', '-no-color', '-auto-approve', ...refresh]);
  }

  /** The state's resource addresses (`terraform state list`), empty when there is no state. */
  async stateList(): Promise<string[]> {
    const r = await this.run('show', ['state', 'list', '-no-color']);
    if (r.exitCode !== 0) return [];
    return r.stdout.split('\n').filter((l) => l.trim() !== '');
  }

  /** Removes the working directory (kept when VPCTUNE_KEEP_TF_WORKDIR=1, for debugging). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (process.env['VPCTUNE_KEEP_TF_WORKDIR'] === '1') return;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Seconds (1 decimal) each step took. */
export type StepTimings = Partial<Record<'init' | 'validate' | 'plan' | 'apply' | 'replan' | 'destroy', number>>;

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

export interface OfflinePlanResult {
  readonly validate: ValidateResult;
  /** Undefined when validation failed (the plan is then not attempted). */
  readonly plan?: PlanResult;
  readonly overrides: readonly Override[];
  readonly timings: StepTimings;
}

/**
 * init + validate + plan of a stack with the offline overrides. Resolves with `validate.valid === false` (and no
 * plan) for an invalid stack; throws TerraformCommandError if init or plan fail.
 */
export async function planOffline(
  stackDir: string,
  options: OfflineOverrideOptions & Omit<WorkspaceOptions, 'transform'> = {},
): Promise<OfflinePlanResult> {
  const ws = TerraformWorkspace.create(stackDir, { ...options, transform: (j) => applyOfflineOverrides(j, options) });
  try {
    const init = await ws.init();
    const validate = await ws.validate();
    const timings: StepTimings = { init: seconds(init.durationMs), validate: seconds(validate.durationMs) };
    if (!validate.valid) return { validate, overrides: ws.overrides, timings };
    const plan = await ws.plan();
    timings.plan = seconds(plan.durationMs);
    return { validate, plan, overrides: ws.overrides, timings };
  } finally {
    ws.dispose();
  }
}

/** The re-plan after apply wanted changes: the stack (or the emulator overrides) is not idempotent. */
export class NotIdempotentError extends Error {
  constructor(readonly changes: readonly ResourceChange[], readonly outputChanges: readonly string[]) {
    super(
      `re-plan after apply is not empty: ${changes.length} resource change(s)` +
        (outputChanges.length > 0 ? `, outputs ${outputChanges.join(', ')}` : '') +
        `:\n${formatChanges(changes)}`,
    );
    this.name = 'NotIdempotentError';
  }
}

export interface EmulatorLifecycleResult {
  readonly validate: ValidateResult;
  /** The first plan; its `changes` are not read (see `appliedResources`). */
  readonly plan: PlanResult;
  readonly apply: CommandResult;
  readonly replan: PlanResult;
  readonly destroy: CommandResult;
  /** Resource addresses in state after apply. */
  readonly appliedResources: readonly string[];
  /** Resource addresses left in state after destroy (expected empty). */
  readonly remainingAfterDestroy: readonly string[];
  readonly overrides: readonly Override[];
  readonly timings: StepTimings;
}

export interface EmulatorLifecycleOptions extends EmulatorOverrideOptions, Omit<WorkspaceOptions, 'transform'> {
  /** Throw NotIdempotentError when the re-plan has changes (after destroying). @default true */
  readonly failOnReplanChanges?: boolean;
}

/**
 * init, validate, plan, apply, re-plan (expected: no changes), destroy, against an emulator. Always attempts the
 * destroy once apply was attempted. Throws TerraformCommandError on a failing step, an Error when validation
 * fails, and NotIdempotentError (with the changed resources) when the re-plan is not empty.
 */
export async function runEmulatorLifecycle(stackDir: string, options: EmulatorLifecycleOptions): Promise<EmulatorLifecycleResult> {
  const ws = TerraformWorkspace.create(stackDir, { ...options, transform: (j) => applyEmulatorOverrides(j, options) });
  try {
    const init = await ws.init();
    const validate = await ws.validate();
    if (!validate.valid) {
      throw new Error(`terraform validate failed:\n${validate.diagnostics.map((d) => `${d.severity}: ${d.summary}${d.detail ? `: ${d.detail}` : ''}`).join('\n')}`);
    }
    const plan = await ws.plan('plan.out', { details: 'never' });
    const timings: StepTimings = { init: seconds(init.durationMs), validate: seconds(validate.durationMs), plan: seconds(plan.durationMs) };
    let apply: CommandResult | undefined;
    let replan: PlanResult | undefined;
    let appliedResources: string[] = [];
    let failure: unknown;
    try {
      apply = await ws.apply(plan.planFile);
      timings.apply = seconds(apply.durationMs);
      appliedResources = await ws.stateList();
      replan = await ws.plan('replan.out', { details: 'if-changes' });
      timings.replan = seconds(replan.durationMs);
    } catch (e) {
      failure = e;
    }
    let destroy: CommandResult;
    try {
      destroy = await ws.destroy({ refresh: replan === undefined });
    } catch (e) {
      if (failure === undefined) throw e;
      // Report the first failure; say the clean-up failed too.
      if (failure instanceof Error) failure.message += `\n(and the destroy after it failed: ${(e as Error).message.split('\n')[0]})`;
      throw failure;
    }
    timings.destroy = seconds(destroy.durationMs);
    const remainingAfterDestroy = await ws.stateList();
    if (failure !== undefined) throw failure;
    if ((options.failOnReplanChanges ?? true) && replan!.hasChanges) throw new NotIdempotentError(replan!.changes, replan!.outputChanges);
    return { validate, plan, apply: apply!, replan: replan!, destroy, appliedResources, remainingAfterDestroy, overrides: ws.overrides, timings };
  } finally {
    ws.dispose();
  }
}
