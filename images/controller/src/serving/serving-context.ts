/** The serving side of the API: models as served, the upstreams, the proxy, usage metering and model retirement. */
import type { Logger } from '../ops/logger';
import type { BlobStorage } from '../storage/blob-storage';
import type { Store } from '../store/store';
import { DEFAULT_PROXY_OPTIONS, InferenceProxy, type ProxyOptions } from './inference-proxy';
import { ModelRetirement } from './model-retirement';
import { ServedModelCache } from './served-model-cache';
import { ServedModels, ServedModelKind, type ServedModel } from './served-models';
import { UpstreamDirectory } from './upstream-directory';
import { UsageMeter } from './usage-meter';

export interface ServingContext {
  readonly models: ServedModels;
  readonly directory: UpstreamDirectory;
  readonly meter: UsageMeter;
  readonly proxy: InferenceProxy;
  readonly retirement: ModelRetirement;
  /** Whether a model can be served right now: an upstream is configured for its route and one answers /health. */
  servable(model: ServedModel): Promise<boolean>;
}

export function createServingContext(store: Store, storage: BlobStorage, log: Logger, directory = new UpstreamDirectory(), proxy: Partial<ProxyOptions> = {}): ServingContext {
  const models = new ServedModels(store, storage);
  const options = { ...DEFAULT_PROXY_OPTIONS, ...proxy };
  const cache = new ServedModelCache(models, { ttlMs: options.modelCacheMs, maxEntries: 1000 });
  const meter = new UsageMeter();
  return {
    models,
    directory,
    meter,
    proxy: new InferenceProxy(models, cache, directory, meter, log, options),
    retirement: new ModelRetirement(store, storage, models, directory, log, cache),
    servable: async (m) => m.route !== undefined && directory.serves(m.route) && (m.kind !== ServedModelKind.FINE_TUNED || m.job !== undefined) && (await directory.isUp(m.route)),
  };
}
