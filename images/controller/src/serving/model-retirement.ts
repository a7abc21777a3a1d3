/**
 * `DELETE /v1/models/{id}` for a fine-tuned model: unloaded from every upstream of its base, its published weights
 * and checkpoint publications deleted, then its record — so a failure half way leaves the model listed and the call
 * can be repeated. Afterwards it is not listed, not served (404) and its objects are gone.
 */
import { ApiError, notFound } from '../domain/api-error';
import type { Logger } from '../ops/logger';
import type { BlobStorage } from '../storage/blob-storage';
import type { Store } from '../store/store';
import type { ServedModelCache } from './served-model-cache';
import { ServedModelKind, type ServedModels } from './served-models';
import type { UpstreamDirectory } from './upstream-directory';

/** An upstream's unload call's timeout, ms. */
const UNLOAD_TIMEOUT_MS = 10_000;

export interface DeletedModel {
  readonly id: string;
  readonly object: 'model';
  readonly deleted: true;
}

export class ModelRetirement {
  constructor(
    private readonly store: Store,
    private readonly storage: BlobStorage,
    private readonly models: ServedModels,
    private readonly directory: UpstreamDirectory,
    private readonly log: Logger,
    /** The proxy's model cache, cleared when a model is deleted. @default - none */
    private readonly cache?: ServedModelCache,
  ) {}

  async retire(projectId: string, id: string): Promise<DeletedModel> {
    const model = await this.models.find(projectId, id);
    if (model === undefined) throw notFound('model', id, 'model_not_found', 'model');
    if (model.kind === ServedModelKind.BASE) {
      throw new ApiError(403, 'invalid_request_error', 'model_not_deletable', `Model '${id}' is a base model of the platform; only your project's fine-tuned models can be deleted (base models are removed by the platform's operators).`, 'model');
    }
    if (model.kind === ServedModelKind.CHECKPOINT) {
      throw new ApiError(400, 'invalid_request_error', 'model_not_deletable', `Model '${id}' is a checkpoint; checkpoints are deleted with their fine-tuned model.`, 'model');
    }
    const checkpoints = await this.models.checkpointPublications(model);
    const names = [id, ...checkpoints.map((c) => c.id)];
    if (model.route !== undefined) {
      for (const client of this.directory.all(model.route)) {
        for (const name of names) {
          await client.unloadAdapter({ lora_name: name }, UNLOAD_TIMEOUT_MS).catch((err: unknown) =>
            // Not fatal: the record goes below, so the controller no longer routes the id, and the resolver finds no weights.
            this.log.warn('unloading an adapter failed', { model: name, upstream: client.baseUrl, error: String(err) }),
          );
        }
      }
    }
    for (const prefix of [model.storagePrefix, ...checkpoints.map((c) => c.prefix)]) await this.storage.delete(prefix);
    await this.store.deleteModel(projectId, id);
    this.cache?.clear();
    this.log.info('model deleted', { model: id, project: projectId });
    return { id, object: 'model', deleted: true };
  }
}
