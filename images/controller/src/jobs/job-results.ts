import { createHash } from 'node:crypto';
import type { JobRecord } from '../domain/job';
import type { FileRecord } from '../domain/records';
import type { BlobStorage } from '../storage/blob-storage';
import { tarPrefix } from '../storage/tar-archive';
import type { Store } from '../store/store';
import type { TrainerManifest } from '../executor/trainer-contract';
import { publishPrefix } from '../serving/served-models';
import { jobOutputPrefix, keyUnder, resultsPrefix } from '../../../../constructs/platform/bucket-keys';

/** Deterministic ids, so registering the results again after a restart replaces rather than duplicates. */
function resultFileId(jobId: string, name: string): string {
  return `file-${createHash('sha256').update(`${jobId}/${name}`).digest('hex').slice(0, 24)}`;
}

async function readJson<T>(storage: BlobStorage, key: string): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const c of await storage.get(key)) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

export interface RegisteredResults {
  readonly resultFiles: readonly string[];
  readonly trainedTokens: number;
  readonly adapterPrefix: string;
}

/**
 * Turns a finished trainer output into API objects: the metrics JSONL and the adapter (or full weights) as a tar
 * file under `fine-tune-results`, and the model registered at the prefix the trainer published its weights to.
 */
export async function registerResults(store: Store, storage: BlobStorage, job: JobRecord, fineTunedModel: string, nowMs: number): Promise<RegisteredResults> {
  const out = jobOutputPrefix(job.id);
  const manifest = await readJson<TrainerManifest>(storage, `${out}manifest.json`);
  const files: FileRecord[] = [];
  // Result files are copied out of jobs/ (which the bucket lifecycle expires) to results/<job id>/ (which it does not).
  const results = resultsPrefix(job.id);
  const trainerMetricsKey = `${out}${manifest.metrics_file || 'metrics.jsonl'}`;
  if ((await storage.stat(trainerMetricsKey)) !== undefined) {
    const metricsKey = keyUnder(results, 'metrics.jsonl');
    const { bytes: metricsBytes } = await storage.put(metricsKey, await storage.get(trainerMetricsKey));
    files.push({ id: resultFileId(job.id, 'metrics'), projectId: job.projectId, createdMs: nowMs, bytes: metricsBytes, filename: 'metrics.jsonl', purpose: 'fine-tune-results', storageKey: metricsKey });
  }
  const weightsDir = manifest.output === 'model' ? 'model' : 'adapter';
  // The trainer published the servable weights itself (spec `publish_dir`, written by runRequestOf).
  const adapterPrefix = publishPrefix(fineTunedModel, job.adapter.type);
  const tarKey = keyUnder(results, `${weightsDir}.tar`);
  const { bytes } = await storage.put(tarKey, tarPrefix(storage, `${out}${weightsDir}/`, weightsDir));
  files.push({ id: resultFileId(job.id, weightsDir), projectId: job.projectId, createdMs: nowMs + 1, bytes, filename: `${weightsDir}.tar`, purpose: 'fine-tune-results', storageKey: tarKey });
  for (const f of files) {
    await store.deleteFile(f.projectId, f.id);
    await store.insertFile(f);
  }
  await store.upsertModel({ id: fineTunedModel, projectId: job.projectId, createdAt: Math.floor(nowMs / 1000), kind: 'fine_tuned', storagePrefix: adapterPrefix, jobId: job.id });
  return { resultFiles: files.map((f) => f.id), trainedTokens: manifest.trained_tokens, adapterPrefix };
}
