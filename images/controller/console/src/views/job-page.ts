import { api, ApiFailure } from '../api-client';
import { h, notice, replace } from '../dom';
import { ENDED, type Checkpoint, type Job, type JobEvent, type ListPage } from '../types';
import { lossChart } from './loss-chart';
import { checkpointsTable, eventsList, resultFiles, settings, summary } from './job-sections';

/** How often a job that has not ended is polled, ms. */
const POLL_MS = 1000;

/**
 * One job: summary, loss curves, settings, checkpoints, events, result files, cancel. While the job has not ended it
 * polls the job, its new events (paging back to the newest one already seen) and its checkpoints.
 */
export function jobPage(main: HTMLElement, jobId: string): () => void {
  const path = `/v1/fine_tuning/jobs/${encodeURIComponent(jobId)}`;
  const title = h('h1', {}, jobId);
  const cancel = h('button', { type: 'button', class: 'danger', hidden: true }, 'Cancel job');
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const summaryBox = h('div');
  const chart = lossChart();
  const settingsBox = h('div');
  const checkpointsBox = h('div');
  const resultsBox = h('div');
  const eventsBox = h('div');
  main.append(
    h('div', { class: 'page-head' }, title, cancel),
    status,
    h('div', { class: 'columns two' }, h('section', { 'aria-labelledby': 'sum-title' }, h('h2', { id: 'sum-title' }, 'Summary'), summaryBox), h('section', { 'aria-labelledby': 'loss-title' }, h('h2', { id: 'loss-title' }, 'Loss'), chart.element)),
    settingsBox,
    h('section', { 'aria-labelledby': 'results-title' }, h('h2', { id: 'results-title' }, 'Result files'), resultsBox),
    h('section', { 'aria-labelledby': 'ckpt-title' }, h('h2', { id: 'ckpt-title' }, 'Checkpoints'), checkpointsBox),
    h('section', { 'aria-labelledby': 'events-title' }, h('h2', { id: 'events-title' }, 'Events'), eventsBox),
  );

  /** Every event seen, newest first in the API's order (its sequence: events of one second keep the order they happened in). */
  let events: readonly JobEvent[] = [];
  const seen = new Set<string>();
  let shownResults = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let left = false;

  const newEvents = async () => {
    let after: string | undefined;
    const fresh: JobEvent[] = [];
    for (;;) {
      const page = await api<ListPage<JobEvent>>('GET', `${path}/events?limit=100${after !== undefined ? `&after=${encodeURIComponent(after)}` : ''}`);
      let reachedSeen = false;
      for (const e of page.data) {
        if (seen.has(e.id)) reachedSeen = true;
        else fresh.push(e);
      }
      const last = page.data[page.data.length - 1];
      if (reachedSeen || !page.has_more || last === undefined) break;
      after = last.id;
    }
    // only once every page is in: a failed page leaves nothing half-seen for the next poll
    for (const e of fresh) seen.add(e.id);
    if (fresh.length > 0) events = [...fresh, ...events];
  };

  const show = (job: Job, checkpoints: readonly Checkpoint[]) => {
    title.textContent = job.user_provided_suffix !== null ? `${job.id} (${job.user_provided_suffix})` : job.id;
    cancel.hidden = ENDED.includes(job.status);
    replace(summaryBox, summary(job));
    if (job.error !== null) summaryBox.append(notice('error', `${job.error.code ?? 'error'}: ${job.error.message ?? ''}${job.error.param ? ` (${job.error.param})` : ''}`));
    replace(settingsBox, settings(job));
    chart.update(events);
    replace(checkpointsBox, checkpointsTable(checkpoints));
    replace(eventsBox, eventsList(events));
    const results = job.result_files.join(',');
    if (results !== shownResults || resultsBox.childElementCount === 0) {
      shownResults = results;
      replace(resultsBox, resultFiles(job.result_files));
    }
  };

  const poll = async () => {
    try {
      const job = await api<Job>('GET', path);
      await newEvents();
      const checkpoints = (await api<ListPage<Checkpoint>>('GET', `${path}/checkpoints?limit=100`)).data;
      if (left) return;
      status.replaceChildren();
      show(job, checkpoints);
      if (!ENDED.includes(job.status)) timer = setTimeout(() => void poll(), POLL_MS);
    } catch (err) {
      if (left) return;
      replace(status, notice('error', err instanceof ApiFailure ? err.message : String(err)));
      if (!(err instanceof ApiFailure && err.status === 404)) timer = setTimeout(() => void poll(), POLL_MS * 3);
    }
  };

  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    api<Job>('POST', `${path}/cancel`)
      .then(() => replace(status, notice('info', 'Cancel requested.')))
      .catch((err: unknown) => replace(status, notice('error', err instanceof ApiFailure ? err.message : String(err))))
      .finally(() => {
        cancel.disabled = false;
        if (timer !== undefined) clearTimeout(timer);
        void poll();
      });
  });

  void poll();
  return () => {
    left = true;
    if (timer !== undefined) clearTimeout(timer);
    chart.destroy();
  };
}
