import { api, ApiFailure } from '../api-client';
import { field, h, notice, replace } from '../dom';
import { count, dateTime, eta } from '../format';
import { JOB_STATUSES, type Job, type ListPage } from '../types';
import { statusBadge } from './status-badge';

/** The table's columns and whether a phone-wide screen keeps them (the job's page has the rest). */
const COLUMNS: readonly (readonly [string, boolean])[] = [
  ['Job', true],
  ['Status', true],
  ['Base model', false],
  ['Suffix', true],
  ['Created', false],
  ['ETA', true],
  ['Tokens', false],
];

/** The project's jobs, newest first (up to 100): status filtered here, metadata filtered by the API. Refreshes every 3 s. */
export function jobsList(main: HTMLElement): () => void {
  const status = h('select', { name: 'status' }, h('option', { value: '' }, 'any'), ...JOB_STATUSES.map((s) => h('option', { value: s }, s.replace('_', ' '))));
  const metaKey = h('input', { type: 'text', name: 'metadata-key', autocomplete: 'off' });
  const metaValue = h('input', { type: 'text', name: 'metadata-value', autocomplete: 'off' });
  const body = h('div', { class: 'table-wrap' });
  const filters = h('form', { class: 'filters', 'aria-label': 'Filter jobs' }, field('Status', status), field('Metadata key', metaKey), field('Metadata value', metaValue), h('button', { type: 'submit' }, 'Filter'));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Fine-tuning jobs'), h('a', { href: '#/new-job', class: 'button' }, 'New job')), filters, body);

  let jobs: readonly Job[] = [];
  const draw = () => {
    const shown = jobs.filter((j) => status.value === '' || j.status === status.value);
    if (shown.length === 0) return replace(body, h('p', { class: 'empty' }, jobs.length === 0 ? 'No jobs yet.' : 'No job matches the filter.'));
    const rows = shown.map((j) =>
      h(
        'tr',
        { 'data-job': j.id },
        h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(j.id)}` }, j.id)),
        h('td', {}, statusBadge(j.status)),
        h('td', { class: 'hide-narrow' }, j.model),
        h('td', {}, j.user_provided_suffix ?? '—'),
        h('td', { class: 'hide-narrow' }, dateTime(j.created_at)),
        h('td', {}, j.status === 'queued' || j.status === 'running' ? eta(j.estimated_finish) : '—'),
        h('td', { class: 'num hide-narrow' }, count(j.trained_tokens)),
      ),
    );
    const head = COLUMNS.map(([name, narrow]) => h('th', { scope: 'col', class: narrow ? undefined : 'hide-narrow' }, name));
    replace(body, h('table', {}, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows)));
  };
  const load = async () => {
    const query = new URLSearchParams({ limit: '100' });
    if (metaKey.value.trim() !== '') query.set(`metadata[${metaKey.value.trim()}]`, metaValue.value);
    try {
      jobs = (await api<ListPage<Job>>('GET', `/v1/fine_tuning/jobs?${query}`)).data;
      draw();
    } catch (err) {
      replace(body, notice('error', err instanceof ApiFailure ? err.message : String(err)));
    }
  };
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  status.addEventListener('change', draw);
  void load();
  const timer = setInterval(() => void load(), 3000);
  return () => clearInterval(timer);
}
