/** The parts of a job page that only show data: summary, settings, checkpoints, events, result files. */
import { api, ApiFailure, downloadFile } from '../api-client';
import { h, notice } from '../dom';
import { count, dateTime, duration, eta, usd } from '../format';
import type { Checkpoint, FileObject, Job, JobCostEstimate, JobEvent } from '../types';
import { statusBadge } from './status-badge';

/** A definition list of name → value pairs (values as text). */
export function pairs(label: string, entries: readonly (readonly [string, unknown])[]): HTMLElement {
  const dl = h('dl', { class: 'pairs', 'aria-label': label });
  for (const [name, value] of entries) dl.append(h('dt', {}, name), h('dd', {}, value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value)));
  return dl;
}

export function summary(job: Job): HTMLElement {
  const running = job.status === 'queued' || job.status === 'running';
  return h(
    'dl',
    { class: 'pairs', 'aria-label': 'Summary' },
    h('dt', {}, 'Status'),
    h('dd', {}, statusBadge(job.status)),
    ...[
      ['Base model', job.model],
      ['Fine-tuned model', job.fine_tuned_model ?? '—'],
      ['Suffix', job.user_provided_suffix ?? '—'],
      ['Created', dateTime(job.created_at)],
      ['Finished', dateTime(job.finished_at)],
      ['Estimated finish', running ? (job.estimated_finish === null ? 'no estimate for this job' : `${dateTime(job.estimated_finish)} (${eta(job.estimated_finish)})`) : '—'],
      ...costRows(job.estimate ?? null),
      ['Trained tokens', count(job.trained_tokens)],
      ['Training file', job.training_file],
      ['Validation file', job.validation_file ?? '—'],
      ['Seed', String(job.seed)],
    ].flatMap(([k, v]) => [h('dt', {}, k as string), h('dd', {}, v as string)]),
  );
}

/**
 * The job's cost estimate as summary rows: the figure for how its pool's nodes are bought first, the other in
 * brackets; then where it runs and for how long. One row saying there is none when the API has no estimate.
 */
export function costRows(estimate: JobCostEstimate | null): readonly (readonly [string, string])[] {
  if (estimate === null) return [['Estimated cost', 'no estimate for this job']];
  const spot = `${usd(estimate.spot_usd)} at spot prices`;
  const onDemand = estimate.on_demand_usd === null ? null : `${usd(estimate.on_demand_usd)} on demand`;
  const cost = estimate.capacity === 'spot' || onDemand === null ? `${spot}${onDemand !== null ? ` (${onDemand})` : ''}` : `${onDemand} (${spot})`;
  const gpus = `${estimate.gpus} ${estimate.gpu} GPU${estimate.gpus === 1 ? '' : 's'}`;
  return [
    ['Estimated cost', cost],
    ['Placement', `${gpus} on pool ${estimate.pool} (${estimate.instance_type}, ${estimate.capacity}) for about ${duration(estimate.run_seconds)}`],
  ];
}

export function settings(job: Job): HTMLElement {
  const hp = job.method.supervised?.hyperparameters ?? job.method.dpo?.hyperparameters ?? {};
  return h(
    'div',
    { class: 'columns' },
    h('section', { 'aria-labelledby': 'hp-title' }, h('h2', { id: 'hp-title' }, `Hyperparameters (${job.method.type})`), pairs('Hyperparameters', Object.entries(hp))),
    h('section', { 'aria-labelledby': 'adapter-title' }, h('h2', { id: 'adapter-title' }, 'Adapter'), pairs('Adapter', Object.entries(job.adapter ?? {}))),
    h('section', { 'aria-labelledby': 'meta-title' }, h('h2', { id: 'meta-title' }, 'Metadata'), pairs('Metadata', Object.entries(job.metadata ?? {}))),
  );
}

export function checkpointsTable(checkpoints: readonly Checkpoint[]): HTMLElement {
  if (checkpoints.length === 0) return h('p', { class: 'empty' }, 'No checkpoints yet.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Step'), h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col' }, 'Training loss'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Created'))),
      h('tbody', {}, ...checkpoints.map((c) => h('tr', {}, h('td', { class: 'num' }, c.step_number), h('td', {}, c.fine_tuned_model_checkpoint), h('td', { class: 'num' }, c.metrics['train_loss']?.toFixed(4) ?? '—'), h('td', { class: 'hide-narrow' }, dateTime(c.created_at))))),
    ),
  );
}

export function eventsList(events: readonly JobEvent[]): HTMLElement {
  if (events.length === 0) return h('p', { class: 'empty' }, 'No events yet.');
  return h('ol', { class: 'events', reversed: true }, ...events.slice(0, 200).map((e) => h('li', { class: `level-${e.level}` }, h('time', {}, dateTime(e.created_at)), ' ', e.message)));
}

/** One download button per result file (the metrics JSONL, the adapter archive), named as the API names them. */
export function resultFiles(ids: readonly string[]): HTMLElement {
  if (ids.length === 0) return h('p', { class: 'empty' }, 'Result files appear when the job succeeds.');
  const list = h('ul', { class: 'results' });
  for (const id of ids) {
    const item = h('li', {}, id);
    list.append(item);
    api<FileObject>('GET', `/v1/files/${encodeURIComponent(id)}`)
      .then((f) => {
        const status = h('span', { class: 'status' });
        const button = h('button', { type: 'button' }, `Download ${f.filename}`);
        button.addEventListener('click', () => {
          status.replaceChildren();
          downloadFile(f.id, f.filename).catch((err: unknown) => status.append(notice('error', err instanceof ApiFailure ? err.message : String(err))));
        });
        item.replaceChildren(button, ` ${f.bytes.toLocaleString()} bytes `, status);
      })
      .catch((err: unknown) => item.append(notice('error', err instanceof ApiFailure ? err.message : String(err))));
  }
  return list;
}
