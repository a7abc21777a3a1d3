import * as fs from 'node:fs';
import { modelPrefix } from '../../../../constructs/platform/bucket-keys';
import type { BlobStorage } from '../storage/blob-storage';
import type { ModelStore } from '../store/store';

export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/** Copies base-model weights into storage (its model prefix) and registers the model for every project. */
export async function importBaseModel(store: ModelStore, storage: BlobStorage, id: string, fromDir: string, nowSeconds: number): Promise<void> {
  if (!MODEL_ID_PATTERN.test(id)) throw new Error(`invalid model id '${id}': use a Hugging Face style id like 'org/name'`);
  if (!fs.existsSync(fromDir) || !fs.statSync(fromDir).isDirectory()) throw new Error(`--from ${fromDir} is not a directory`);
  if (!fs.existsSync(`${fromDir}/config.json`)) throw new Error(`${fromDir} has no config.json; expected a Hugging Face model directory`);
  const prefix = modelPrefix(id);
  await storage.delete(prefix);
  await storage.putDirectory(prefix, fromDir);
  await store.upsertModel({ id, projectId: null, createdAt: nowSeconds, kind: 'base', storagePrefix: prefix, jobId: null });
}
