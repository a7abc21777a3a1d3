/**
 * What a model id names for serving: a base model, a project's fine-tuned model, or one of its jobs' checkpoints
 * (`<fine-tuned model>:ckpt-step-N`), with the base whose upstreams serve it and the name the upstream knows it by.
 */
import { Readable } from 'node:stream';
import { adapterPrefix, keyUnder, modelPrefix } from '../../../../constructs/platform/bucket-keys';
import type { AdapterType, JobRecord } from '../domain/job';
import { fineTunedModelName } from '../domain/ids';
import type { CheckpointRecord, ModelRecord } from '../domain/records';
import type { BlobStorage } from '../storage/blob-storage';
import type { Store } from '../store/store';

export enum ServedModelKind {
  BASE = 'base',
  FINE_TUNED = 'fine_tuned',
  CHECKPOINT = 'checkpoint',
}

export interface ServedModel {
  readonly id: string;
  readonly kind: ServedModelKind;
  readonly createdAt: number;
  /** null for base models. */
  readonly projectId: string | null;
  /**
   * The base model whose upstreams serve it: the base itself, a LoRA/QLoRA model's base; a full fine-tune is served
   * only by upstreams that serve its own id as a base. Undefined when nothing can serve it (a full fine-tune's checkpoint).
   */
  readonly route: string | undefined;
  /** Storage prefix of the servable weights (deleted with the model). */
  readonly storagePrefix: string;
  /** The job that made it (fine-tuned models and checkpoints). */
  readonly job?: JobRecord;
  readonly checkpoint?: CheckpointRecord;
}

const CHECKPOINT_ID = /^(.+):ckpt-step-(\d+)$/;

/** Where the trainer publishes a job's servable weights: adapters/ for LoRA and QLoRA, models/ for full weights. */
export function publishPrefix(fineTunedModel: string, adapterType: AdapterType): string {
  return adapterType === 'full' ? modelPrefix(fineTunedModel) : adapterPrefix(fineTunedModel);
}

/** `<fine-tuned model>:ckpt-step-N`, as the checkpoints API shows it. */
export function checkpointModelId(fineTunedModel: string, step: number): string {
  return `${fineTunedModel}:ckpt-step-${step}`;
}

export function parseCheckpointModelId(id: string): { readonly fineTunedModel: string; readonly step: number } | undefined {
  const m = CHECKPOINT_ID.exec(id);
  return m?.[1] === undefined || m[2] === undefined ? undefined : { fineTunedModel: m[1], step: Number(m[2]) };
}

/** The fine-tuned model id a job has (or will have once it succeeds). */
export function fineTunedModelOf(job: Pick<JobRecord, 'model' | 'suffix' | 'id'>): string {
  return fineTunedModelName(job.model, job.suffix, job.id);
}

/** Looks up models by id for one project: the records, and checkpoints through their jobs. */
export class ServedModels {
  constructor(
    private readonly store: Store,
    private readonly storage: BlobStorage,
  ) {}

  async list(projectId: string): Promise<readonly ServedModel[]> {
    const out: ServedModel[] = [];
    for (const m of await this.store.listModels(projectId)) out.push(await this.fromRecord(m));
    return out;
  }

  /** A base model, this project's fine-tuned model or checkpoint; undefined for anything else (another project's too). */
  async find(projectId: string, id: string): Promise<ServedModel | undefined> {
    const record = await this.store.getModel(projectId, id);
    if (record !== undefined) return this.fromRecord(record);
    const ckpt = parseCheckpointModelId(id);
    if (ckpt === undefined) return undefined;
    const fineTuned = await this.store.getModel(projectId, ckpt.fineTunedModel);
    const job = fineTuned?.jobId != null ? await this.store.getJob(projectId, fineTuned.jobId) : await this.jobOf(projectId, ckpt.fineTunedModel);
    // A succeeded job's checkpoints live as long as its fine-tuned model: once that is deleted they are gone too.
    if (job === undefined || (job.status === 'succeeded' && fineTuned === undefined)) return undefined;
    return this.checkpointOf(job, ckpt.step, id);
  }

  /**
   * Makes a checkpoint servable: its adapter (the trainer's checkpoints/step-N holds one) is published to
   * `adapters/<checkpoint id>/` with `base_model_name_or_path` set to the served base, the config written last, as
   * the trainer publishes a finished adapter. Nothing is done when it is published already.
   */
  async publishCheckpoint(model: ServedModel): Promise<void> {
    if (model.checkpoint === undefined || model.job === undefined) return;
    const target = model.storagePrefix;
    if ((await this.storage.stat(keyUnder(target, 'adapter_config.json'))) !== undefined) return;
    const source = model.checkpoint.storageKey;
    const config = JSON.parse(await readText(this.storage, keyUnder(source, 'adapter_config.json'))) as Record<string, unknown>;
    await this.storage.put(keyUnder(target, 'adapter_model.safetensors'), await this.storage.get(keyUnder(source, 'adapter_model.safetensors')));
    await this.storage.put(keyUnder(target, 'adapter_config.json'), Readable.from([JSON.stringify({ ...config, base_model_name_or_path: model.job.model }, null, 2)]));
  }

  /** The checkpoints of a fine-tuned model's job that were published for serving (deleted with the model). */
  async checkpointPublications(model: ServedModel): Promise<readonly { readonly id: string; readonly prefix: string }[]> {
    if (model.job === undefined) return [];
    const out: { id: string; prefix: string }[] = [];
    for (const c of await this.allCheckpoints(model.job.id)) {
      const id = checkpointModelId(model.id, c.step);
      const prefix = adapterPrefix(id);
      if ((await this.storage.list(prefix)).length > 0) out.push({ id, prefix });
    }
    return out;
  }

  private async fromRecord(m: ModelRecord): Promise<ServedModel> {
    const base = { id: m.id, createdAt: m.createdAt, projectId: m.projectId, storagePrefix: m.storagePrefix };
    if (m.kind === 'base' || m.jobId === null) return { ...base, kind: ServedModelKind.BASE, route: m.id };
    const job = await this.store.getJobById(m.jobId);
    const full = job?.adapter.type === 'full';
    return { ...base, kind: ServedModelKind.FINE_TUNED, route: full || job === undefined ? m.id : job.model, ...(job !== undefined ? { job } : {}) };
  }

  private async checkpointOf(job: JobRecord, step: number, id: string): Promise<ServedModel | undefined> {
    const checkpoint = (await this.allCheckpoints(job.id)).find((c) => c.step === step);
    if (checkpoint === undefined) return undefined;
    return {
      id,
      kind: ServedModelKind.CHECKPOINT,
      createdAt: checkpoint.createdAt,
      projectId: job.projectId,
      route: job.adapter.type === 'full' ? undefined : job.model,
      storagePrefix: adapterPrefix(id),
      job,
      checkpoint,
    };
  }

  private async allCheckpoints(jobId: string): Promise<readonly CheckpointRecord[]> {
    const out: CheckpointRecord[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.listCheckpoints(jobId, { limit: 100, ...(after !== undefined ? { after } : {}) });
      out.push(...page.data);
      if (!page.hasMore || page.data.length === 0) return out;
      after = page.data[page.data.length - 1]?.id;
    }
  }

  /** The project's job whose fine-tuned model id is `fineTunedModel` (its record's job, else a scan of the project's jobs). */
  private async jobOf(projectId: string, fineTunedModel: string): Promise<JobRecord | undefined> {
    let after: string | undefined;
    for (;;) {
      const page = await this.store.listJobs(projectId, { limit: 100, ...(after !== undefined ? { after } : {}) });
      const hit = page.data.find((j) => fineTunedModelOf(j) === fineTunedModel);
      if (hit !== undefined) return hit;
      if (!page.hasMore || page.data.length === 0) return undefined;
      after = page.data[page.data.length - 1]?.id;
    }
  }
}

async function readText(storage: BlobStorage, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await storage.get(key)) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
