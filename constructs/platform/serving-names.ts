/**
 * Names of the serving objects, by convention: one Deployment and one Service per served base model (the config's
 * `serving` section), found by the controller through cluster DNS. The chart gets the names through its values, so
 * the name is computed here only.
 */
import { createHash } from 'node:crypto';
import { PLATFORM_NAMESPACE } from './conventions';

/** The port vLLM (and the local worker) listens on in a serving pod. */
export const SERVING_PORT = 8000;

/**
 * `vpctune-serve-<slug>-<hash>`: a DNS-1035 label of at most 63 characters; the slug is the model id lowercased with
 * other characters as `-`, the hash (8 hex of sha256) keeps ids that slug alike apart.
 */
export function servingServiceName(model: string): string {
  const hash = createHash('sha256').update(model).digest('hex').slice(0, 8);
  const slug = model.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63 - 'vpctune-serve--'.length - hash.length).replace(/-+$/, '');
  return `vpctune-serve-${slug === '' ? 'model' : slug}-${hash}`;
}

/** `http://<service>.<namespace>.svc:8000`: where the controller reaches the upstreams of a served model. */
export function servingUpstreamUrl(model: string): string {
  return `http://${servingServiceName(model)}.${PLATFORM_NAMESPACE}.svc:${SERVING_PORT}`;
}
