/** How far a job's relayed events go: what a resumed run's repeated steps are checked against. */
import type { Store } from '../store/store';

export interface RelayedProgress {
  /** Highest step with a stored `metrics` event; 0 when none. */
  readonly lastStep: number;
  /** Total steps as the last stored `metrics` event gave it; null when unknown. */
  readonly totalSteps: number | null;
  /** Highest step with a stored checkpoint; 0 when none. */
  readonly lastCheckpointStep: number;
}

const PAGE = 100;

/** Reads the job's newest `metrics` event (paging back through the events) and its newest checkpoint. */
export async function relayedProgress(store: Store, jobId: string): Promise<RelayedProgress> {
  let lastStep = 0;
  let totalSteps: number | null = null;
  let after: string | undefined;
  for (;;) {
    const page = await store.listEvents(jobId, { limit: PAGE, ...(after !== undefined ? { after } : {}) });
    const metrics = page.data.find((e) => e.type === 'metrics' && typeof e.data?.['step'] === 'number');
    if (metrics !== undefined) {
      lastStep = metrics.data?.['step'] as number;
      const total = metrics.data?.['total_steps'];
      totalSteps = typeof total === 'number' ? total : null;
      break;
    }
    if (!page.hasMore || page.data.length === 0) break;
    after = page.data[page.data.length - 1]?.id;
  }
  const checkpoints = await store.listCheckpoints(jobId, { limit: PAGE });
  const lastCheckpointStep = Math.max(0, ...checkpoints.data.map((c) => c.step));
  return { lastStep, totalSteps, lastCheckpointStep };
}
