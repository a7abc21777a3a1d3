/**
 * Stack outputs for `platform values` and `platform render`: the file `terraform output -json` writes in the platform
 * stack's directory (`{NAME: {value, type, sensitive}}`), read into the `PlatformOutputs` the chart's values take. The
 * output names that differ per cloud (identities, the bucket) come from the cloud profile's `platformStack` facts.
 */
import * as fs from 'node:fs';
import type { Cloud } from '../../constructs/catalog';
import { ALL_SERVICE_ACCOUNTS, cloudProfile, IDENTITY_OUTPUTS, type PlatformOutputs } from '../../constructs/platform';
import { UsageError } from './usage-error';

const FORMAT = 'the format of `terraform output -json`: {"NAME": {"value": ..., "type": ..., "sensitive": ...}}';

/** Reads an outputs file; anything that is not `terraform output -json` is a usage error naming the file and the output. */
export function readStackOutputs(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--outputs ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--outputs ${file}: not JSON (${(err as Error).message}); expected ${FORMAT}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--outputs ${file}: expected ${FORMAT}`);
  const values: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(parsed)) {
    if (entry === null || typeof entry !== 'object' || !('value' in entry)) {
      throw new UsageError(`--outputs ${file}: output ${name} is ${JSON.stringify(entry)}, with no "value"; expected ${FORMAT}`);
    }
    values[name] = (entry as { value: unknown }).value;
  }
  return values;
}

/** The `PlatformOutputs` of a cloud's stack outputs; an output the values use with the wrong type is refused, naming it. */
export function platformOutputsFrom(cloud: Cloud, file: string, outputs: Readonly<Record<string, unknown>>): PlatformOutputs {
  const facts = cloudProfile(cloud).platformStack;
  const text = (name: string): string | undefined => {
    const v = outputs[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') throw new UsageError(`--outputs ${file}: output ${name} is ${JSON.stringify(v)}; expected a non-empty string`);
    return v;
  };
  const list = (name: string): string[] | undefined => {
    const v = outputs[name];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new UsageError(`--outputs ${file}: output ${name} is ${JSON.stringify(v)}; expected a list of strings`);
    return v as string[];
  };
  const picked: Record<string, unknown> = {
    bucket: text(facts.bucketOutput),
    registry_controller: text('registry_controller'),
    registry_trainer: text('registry_trainer'),
    registry_server: text('registry_server'),
    cluster_name: text('cluster_name'),
    cluster_autoscaler_role_arn: text('cluster_autoscaler_role_arn'),
    kubernetes_api_cidrs: list('kubernetes_api_cidrs'),
  };
  for (const sa of ALL_SERVICE_ACCOUNTS) picked[IDENTITY_OUTPUTS[sa]] = text(`${facts.identityOutputPrefix}_${sa.replace(/-/g, '_')}`);
  return Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined)) as PlatformOutputs;
}
