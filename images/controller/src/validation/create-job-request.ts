import { ADAPTER_TYPES, type AdapterChoice, type AutoOr, type Hyperparameters, type JobRecord, type Method, type MethodType } from '../domain/job';
import { ApiError, invalidParam, shown } from '../domain/api-error';
import { requirePrintable } from './plain-text';

/** A create-job request after validation, before files and model are looked up: the job's request fields. */
export type CreateJobRequest = Pick<JobRecord, 'model' | 'trainingFile' | 'validationFile' | 'suffix' | 'seed' | 'metadata' | 'method' | 'adapter'>;

export const LIMITS = {
  suffixMaxLength: 64,
  metadataMaxPairs: 16,
  metadataKeyMaxLength: 64,
  metadataValueMaxLength: 512,
  nEpochs: { min: 1, max: 50 },
  batchSize: { min: 1, max: 256 },
  learningRateMultiplier: { minExclusive: 0, max: 10 },
  beta: { minExclusive: 0, max: 2 },
  loraRank: { min: 1, max: 256 },
  seed: { min: 0, max: 2147483647 },
} as const;

export const DEFAULT_ADAPTER: AdapterChoice = { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' };

const KNOWN_FIELDS = ['model', 'training_file', 'validation_file', 'suffix', 'seed', 'metadata', 'method', 'hyperparameters', 'adapter', 'integrations'];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null) throw new ApiError(400, 'invalid_request_error', 'missing_required_parameter', `Missing required parameter: '${field}'.`, field);
  if (typeof v !== 'string' || v.trim() === '') throw invalidParam(field, `Invalid '${field}': expected a non-empty string, got ${shown(v)}.`, 'invalid_type');
  return requirePrintable(v, field);
}

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v === '') throw invalidParam(field, `Invalid '${field}': expected a non-empty string or null, got ${shown(v)}.`, 'invalid_type');
  return requirePrintable(v, field);
}

function autoOrNumber(
  value: unknown,
  param: string,
  range: { readonly min?: number; readonly minExclusive?: number; readonly max: number },
  integer: boolean,
): AutoOr<number> {
  if (value === undefined || value === 'auto') return 'auto';
  const kind = integer ? 'an integer' : 'a number';
  const lower = range.min !== undefined ? `${range.min}` : `greater than ${range.minExclusive}`;
  const allowed = `"auto" or ${kind} ${range.min !== undefined ? `from ${lower} to ${range.max}` : `${lower} and at most ${range.max}`}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw invalidParam(param, `Invalid '${param}': ${shown(value)}; allowed: ${allowed}.`);
  }
  const tooLow = range.min !== undefined ? value < range.min : value <= (range.minExclusive ?? 0);
  if (tooLow || value > range.max) throw invalidParam(param, `Invalid '${param}': ${value} is out of range; allowed: ${allowed}.`);
  return value;
}

function hyperparameters(value: unknown, param: string, type: MethodType): Hyperparameters {
  if (value === undefined || value === null) return { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto', ...(type === 'dpo' ? { beta: 'auto' } : {}) };
  if (!isObject(value)) throw invalidParam(param, `Invalid '${param}': expected an object, got ${shown(value)}.`, 'invalid_type');
  const allowed = ['n_epochs', 'batch_size', 'learning_rate_multiplier', ...(type === 'dpo' ? ['beta'] : [])];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalidParam(`${param}.${key}`, `Unknown parameter '${param}.${key}'; allowed: ${allowed.join(', ')}.`, 'unknown_parameter');
  }
  return {
    n_epochs: autoOrNumber(value['n_epochs'], `${param}.n_epochs`, LIMITS.nEpochs, true),
    batch_size: autoOrNumber(value['batch_size'], `${param}.batch_size`, LIMITS.batchSize, true),
    learning_rate_multiplier: autoOrNumber(value['learning_rate_multiplier'], `${param}.learning_rate_multiplier`, LIMITS.learningRateMultiplier, false),
    ...(type === 'dpo' ? { beta: autoOrNumber(value['beta'], `${param}.beta`, LIMITS.beta, false) } : {}),
  };
}

function method(body: Record<string, unknown>): Method {
  const m = body['method'];
  const legacy = body['hyperparameters'];
  if (m !== undefined && m !== null && legacy !== undefined && legacy !== null) {
    throw invalidParam('hyperparameters', "Pass hyperparameters either in 'method' or in the legacy top-level 'hyperparameters', not both.", 'conflicting_parameters');
  }
  if (m === undefined || m === null) return { type: 'supervised', supervised: { hyperparameters: hyperparameters(legacy, 'hyperparameters', 'supervised') } };
  if (!isObject(m)) throw invalidParam('method', `Invalid 'method': expected an object, got ${shown(m)}.`, 'invalid_type');
  const type = m['type'];
  if (type !== 'supervised' && type !== 'dpo') throw invalidParam('method.type', `Invalid 'method.type': ${shown(type)}; allowed: supervised, dpo.`);
  const inner = m[type];
  if (inner !== undefined && inner !== null && !isObject(inner)) throw invalidParam(`method.${type}`, `Invalid 'method.${type}': expected an object, got ${shown(inner)}.`, 'invalid_type');
  const h = hyperparameters(isObject(inner) ? inner['hyperparameters'] : undefined, `method.${type}.hyperparameters`, type);
  return type === 'dpo' ? { type, dpo: { hyperparameters: h } } : { type, supervised: { hyperparameters: h } };
}

function adapter(value: unknown): AdapterChoice {
  if (value === undefined || value === null) return DEFAULT_ADAPTER;
  if (!isObject(value)) throw invalidParam('adapter', `Invalid 'adapter': expected an object like {"type": "lora", "r": 16}, got ${shown(value)}.`, 'invalid_type');
  const type = value['type'] ?? 'lora';
  if (typeof type !== 'string' || !(ADAPTER_TYPES as readonly string[]).includes(type)) {
    throw invalidParam('adapter.type', `Invalid 'adapter.type': ${shown(type)}; allowed: ${ADAPTER_TYPES.join(', ')}.`);
  }
  const r = value['r'] ?? DEFAULT_ADAPTER.r;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < LIMITS.loraRank.min || r > LIMITS.loraRank.max) {
    throw invalidParam('adapter.r', `Invalid 'adapter.r': ${shown(r)}; allowed: an integer from ${LIMITS.loraRank.min} to ${LIMITS.loraRank.max}.`);
  }
  const alpha = value['alpha'] ?? 2 * r;
  if (typeof alpha !== 'number' || !(alpha > 0)) throw invalidParam('adapter.alpha', `Invalid 'adapter.alpha': ${shown(alpha)}; allowed: a number greater than 0.`);
  const dropout = value['dropout'] ?? DEFAULT_ADAPTER.dropout;
  if (typeof dropout !== 'number' || dropout < 0 || dropout >= 1) throw invalidParam('adapter.dropout', `Invalid 'adapter.dropout': ${shown(dropout)}; allowed: a number from 0 up to (not including) 1.`);
  const targets = value['target_modules'] ?? DEFAULT_ADAPTER.target_modules;
  const targetsOk = typeof targets === 'string' || (Array.isArray(targets) && targets.length > 0 && targets.every((t) => typeof t === 'string'));
  if (!targetsOk) throw invalidParam('adapter.target_modules', `Invalid 'adapter.target_modules': ${shown(targets)}; allowed: "all-linear" or a non-empty list of module names.`);
  const pool = value['pool'];
  if (pool !== undefined && (typeof pool !== 'string' || !/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/.test(pool))) {
    throw invalidParam('adapter.pool', `Invalid 'adapter.pool': ${shown(pool)}; allowed: the name of one of the platform's GPU pools (lowercase letters, digits and dashes).`);
  }
  return { type: type as AdapterChoice['type'], r, alpha, dropout, target_modules: targets as AdapterChoice['target_modules'], ...(pool !== undefined ? { pool: pool as string } : {}) };
}

function metadata(value: unknown): Readonly<Record<string, string>> | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw invalidParam('metadata', `Invalid 'metadata': expected an object of string keys and string values, got ${shown(value)}.`, 'invalid_type');
  const entries = Object.entries(value);
  if (entries.length > LIMITS.metadataMaxPairs) throw invalidParam('metadata', `Invalid 'metadata': ${entries.length} pairs; at most ${LIMITS.metadataMaxPairs} are allowed.`);
  for (const [k, v] of entries) {
    requirePrintable(k, 'metadata', { what: 'key ' });
    if (typeof v === 'string') requirePrintable(v, `metadata.${k}`);
    if (k.length > LIMITS.metadataKeyMaxLength) throw invalidParam('metadata', `Invalid 'metadata': key '${k.slice(0, 20)}…' is ${k.length} characters; at most ${LIMITS.metadataKeyMaxLength} are allowed.`);
    if (typeof v !== 'string' || v.length > LIMITS.metadataValueMaxLength) {
      throw invalidParam(`metadata.${k}`, `Invalid 'metadata.${k}': ${shown(v)}; allowed: a string of at most ${LIMITS.metadataValueMaxLength} characters.`);
    }
  }
  return value as Record<string, string>;
}

/** Validates a create-job body; throws an ApiError naming the field, the value and what is allowed. */
export function parseCreateJobRequest(body: unknown, defaultSeed: () => number): CreateJobRequest {
  if (!isObject(body)) throw invalidParam('body', 'The request body must be a JSON object.', 'invalid_type');
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.includes(key)) throw invalidParam(key, `Unrecognized request argument supplied: ${key}; allowed: ${KNOWN_FIELDS.join(', ')}.`, 'unknown_parameter');
  }
  const model = requiredString(body, 'model');
  const trainingFile = requiredString(body, 'training_file');
  const validationFile = optionalString(body, 'validation_file');
  const suffix = optionalString(body, 'suffix');
  if (suffix !== null && suffix.length > LIMITS.suffixMaxLength) {
    throw invalidParam('suffix', `Invalid 'suffix': string too long. Expected a string with maximum length ${LIMITS.suffixMaxLength}, but got a string with length ${suffix.length} instead.`, 'string_above_max_length');
  }
  if (suffix !== null && !/^[A-Za-z0-9._-]+$/.test(suffix)) {
    throw invalidParam('suffix', `Invalid 'suffix': ${shown(suffix)}; allowed: letters, digits, '.', '_' and '-'.`);
  }
  const seedValue = body['seed'];
  let seed: number;
  if (seedValue === undefined || seedValue === null) seed = defaultSeed();
  else if (typeof seedValue !== 'number' || !Number.isInteger(seedValue) || seedValue < LIMITS.seed.min || seedValue > LIMITS.seed.max) {
    throw invalidParam('seed', `Invalid 'seed': ${shown(seedValue)}; allowed: an integer from ${LIMITS.seed.min} to ${LIMITS.seed.max}.`);
  } else seed = seedValue;
  const integrations = body['integrations'];
  if (integrations !== undefined && integrations !== null && !(Array.isArray(integrations) && integrations.length === 0)) {
    throw invalidParam('integrations', 'Invalid \'integrations\': integrations are not supported by vpctune; allowed: null or [].', 'unsupported_parameter');
  }
  return { model, trainingFile, validationFile, suffix, seed, metadata: metadata(body['metadata']), method: method(body), adapter: adapter(body['adapter']) };
}
