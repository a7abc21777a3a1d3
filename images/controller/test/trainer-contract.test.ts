/**
 * The controller's trainer contract module (src/executor/trainer-contract.ts) against the fixture it shares with the
 * trainer (test/fixtures/trainer-contract.json; images/trainer/tests/test_trainer_contract.py checks the trainer's spec
 * parser against the same file): spec fields, hyperparameters, exit codes, event kinds, failure codes; every valid
 * spec uses only fields the controller knows, with "auto" or numbers; the fields the trainer refuses are not ours.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MethodType } from '../src/domain/job';
import { runRequestOf } from '../src/jobs/run-request';
import {
  parseTrainerEvent,
  TRAINER_ADAPTER_FIELDS,
  TRAINER_EVENT_KINDS,
  TRAINER_EXIT,
  TRAINER_FAILURE_CODES,
  TRAINER_HYPERPARAMETERS,
  TRAINER_SPEC_FIELDS,
} from '../src/executor/trainer-contract';
import { DEFAULT_ADAPTER } from '../src/validation/create-job-request';

interface SpecCase {
  readonly about: string;
  readonly spec: Record<string, unknown>;
  readonly param?: string;
  readonly unknown_field?: 'adapter' | 'hyperparameter';
}

const CONTRACT = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'trainer-contract.json'), 'utf8')) as {
  spec_fields: string[];
  adapter_fields: string[];
  hyperparameters: Record<MethodType, string[]>;
  exit_codes: Record<string, number>;
  event_kinds: string[];
  failure_codes: string[];
  valid_specs: SpecCase[];
  invalid_specs: SpecCase[];
};

/** Problems of a spec against the module's field lists: unknown fields, hyperparameters neither "auto" nor numbers. */
function problems(spec: Record<string, unknown>): string[] {
  const out = Object.keys(spec).filter((k) => !(TRAINER_SPEC_FIELDS as readonly string[]).includes(k));
  const adapter = (spec['adapter'] ?? {}) as Record<string, unknown>;
  out.push(...Object.keys(adapter).filter((k) => !(TRAINER_ADAPTER_FIELDS as readonly string[]).includes(k)).map((k) => `adapter.${k}`));
  const method = (spec['method'] ?? { type: 'supervised' }) as { type: MethodType } & Record<string, { hyperparameters?: Record<string, unknown> }>;
  for (const [k, v] of Object.entries(method[method.type]?.hyperparameters ?? {})) {
    if (!TRAINER_HYPERPARAMETERS[method.type].includes(k)) out.push(`method.${method.type}.hyperparameters.${k}`);
    else if (v !== 'auto' && typeof v !== 'number') out.push(`method.${method.type}.hyperparameters.${k}=${JSON.stringify(v)}`);
  }
  for (const k of ['context_length'] as const) if (spec[k] !== undefined && spec[k] !== 'auto' && typeof spec[k] !== 'number') out.push(k);
  if (spec['checkpoint_steps'] !== undefined && typeof spec['checkpoint_steps'] !== 'number') out.push('checkpoint_steps');
  return out;
}

test('Given the shared fixture, then the module has the same spec fields, adapter fields and hyperparameters', () => {
  expect([...TRAINER_SPEC_FIELDS]).toEqual(CONTRACT.spec_fields);
  expect([...TRAINER_ADAPTER_FIELDS]).toEqual(CONTRACT.adapter_fields);
  expect(TRAINER_HYPERPARAMETERS).toEqual(CONTRACT.hyperparameters);
});

test('Given the shared fixture, then the module has the same exit codes, event kinds and failure codes', () => {
  expect(TRAINER_EXIT).toEqual(CONTRACT.exit_codes);
  expect([...TRAINER_EVENT_KINDS]).toEqual(CONTRACT.event_kinds);
  expect([...TRAINER_FAILURE_CODES]).toEqual(CONTRACT.failure_codes);
});

test('Given every event kind of the fixture as a line, then the controller parses it; an unknown kind is not an event', () => {
  for (const kind of CONTRACT.event_kinds) expect(parseTrainerEvent(JSON.stringify({ type: kind, time: 1 }))?.type).toBe(kind);
  expect(parseTrainerEvent(JSON.stringify({ type: 'heartbeat', time: 1 }))).toBeUndefined();
});

test.each(CONTRACT.valid_specs)('valid spec: $about — only fields the controller knows, hyperparameters "auto" or numbers', ({ spec }) => {
  expect(problems(spec)).toEqual([]);
});

test.each(CONTRACT.invalid_specs.filter((c) => c.unknown_field !== undefined))('invalid spec: $about — the field the trainer refuses is not in the module', ({ spec, param }) => {
  expect(problems(spec)).toEqual([param]);
});

test('Given a job with the API defaults, then the spec the controller builds uses only contract fields and matches the fixture\'s controller spec in shape', () => {
  // GIVEN a job as the API stores it (default adapter, all-"auto" hyperparameters)
  const method = { type: 'supervised', supervised: { hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' } } } as const;
  // WHEN the supervisor turns it into a run request
  const { spec } = runRequestOf({ id: 'ftjob-b', projectId: 'p', model: 'vpctune/tiny-chat', suffix: null, trainingFile: 'file-a', validationFile: null, method, adapter: DEFAULT_ADAPTER, seed: 1234, placement: null });
  // THEN it is the fixture's "what the controller writes" spec
  const written = CONTRACT.valid_specs.find((c) => c.about.startsWith('what the controller writes'));
  expect(problems(spec as unknown as Record<string, unknown>)).toEqual([]);
  expect(spec).toEqual(written?.spec);
});
