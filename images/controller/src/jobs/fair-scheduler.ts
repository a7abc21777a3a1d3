/** Which queued jobs to start now: FIFO within a project, fair turns across projects, within both limits. */

export interface QueuedJob {
  readonly id: string;
  readonly projectId: string;
}

export interface SchedulingState {
  /** Queued jobs, oldest first. */
  readonly queued: readonly QueuedJob[];
  /** Running jobs per project. */
  readonly runningByProject: ReadonlyMap<string, number>;
  readonly freeSlots: number;
  readonly perProjectLimit: number;
  /** When each project last got a job started (a counter); projects never served go first. */
  readonly lastServed: ReadonlyMap<string, number>;
}

/** Returns the ids to start, in order. Pure: the caller records turns with the returned order. */
export function pickJobsToStart(state: SchedulingState): readonly QueuedJob[] {
  const byProject = new Map<string, QueuedJob[]>();
  for (const job of state.queued) {
    const list = byProject.get(job.projectId) ?? [];
    list.push(job);
    byProject.set(job.projectId, list);
  }
  const running = new Map(state.runningByProject);
  const served = new Map(state.lastServed);
  let turn = Math.max(0, ...served.values());
  const picked: QueuedJob[] = [];
  for (let slots = state.freeSlots; slots > 0; slots -= 1) {
    let best: { project: string; job: QueuedJob; order: number } | undefined;
    for (const [project, jobs] of byProject) {
      const next = jobs[0];
      if (next === undefined || (running.get(project) ?? 0) >= state.perProjectLimit) continue;
      const order = served.get(project) ?? -1;
      const older = best !== undefined && order === best.order && state.queued.indexOf(next) < state.queued.indexOf(best.job);
      if (best === undefined || order < best.order || older) best = { project, job: next, order };
    }
    if (best === undefined) break;
    picked.push(best.job);
    byProject.get(best.project)?.shift();
    running.set(best.project, (running.get(best.project) ?? 0) + 1);
    served.set(best.project, (turn += 1));
  }
  return picked;
}
