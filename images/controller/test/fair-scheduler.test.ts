import { pickJobsToStart, type QueuedJob } from '../src/jobs/fair-scheduler';

const q = (id: string, projectId: string): QueuedJob => ({ id, projectId });

describe('pickJobsToStart', () => {
  test('takes turns across projects, FIFO within each', () => {
    // GIVEN project a queued three jobs before project b queued two
    const queued = [q('a1', 'a'), q('a2', 'a'), q('a3', 'a'), q('b1', 'b'), q('b2', 'b')];
    // WHEN four slots are free and each project may run many
    const picked = pickJobsToStart({ queued, runningByProject: new Map(), freeSlots: 4, perProjectLimit: 10, lastServed: new Map() });
    // THEN b gets its turn right after a's first job
    expect(picked.map((j) => j.id)).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  test('the project served least recently goes first', () => {
    const queued = [q('a1', 'a'), q('b1', 'b')];
    const picked = pickJobsToStart({ queued, runningByProject: new Map(), freeSlots: 1, perProjectLimit: 10, lastServed: new Map([['a', 5], ['b', 2]]) });
    expect(picked.map((j) => j.id)).toEqual(['b1']);
  });

  test('the per-project limit keeps the rest queued even with free slots', () => {
    const queued = [q('a1', 'a'), q('a2', 'a'), q('b1', 'b')];
    const picked = pickJobsToStart({ queued, runningByProject: new Map([['a', 1]]), freeSlots: 3, perProjectLimit: 1, lastServed: new Map() });
    expect(picked.map((j) => j.id)).toEqual(['b1']);
  });

  test('no free slot, nothing starts', () => {
    expect(pickJobsToStart({ queued: [q('a1', 'a')], runningByProject: new Map(), freeSlots: 0, perProjectLimit: 1, lastServed: new Map() })).toEqual([]);
  });
});
