import { api, ApiFailure, uploadFile } from '../api-client';
import { field, h, notice, replace } from '../dom';
import { bytes, dateTime } from '../format';
import type { FileObject, ListPage } from '../types';

/** The table's columns and whether a phone-wide screen keeps them. */
const COLUMNS: readonly (readonly [string, boolean])[] = [
  ['Name', true],
  ['ID', false],
  ['Size', true],
  ['Purpose', false],
  ['Created', false],
  ['', true],
];

/** Upload (with a progress bar), list and delete the project's files. */
export function filesPage(main: HTMLElement): void {
  const input = h('input', { type: 'file', name: 'file', accept: '.jsonl,application/jsonl,application/json,text/plain', required: true });
  const progress = h('progress', { max: 100, value: 0, 'aria-label': 'Upload progress', hidden: true });
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'upload-title' }, h('h2', { id: 'upload-title' }, 'Upload a training file'), field('JSONL file', input, { param: 'file', hint: 'One example per line; checked line by line when a job uses it.' }), h('button', { type: 'submit' }, 'Upload'), progress, status);
  const list = h('div', { class: 'table-wrap' });
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Files')), form, list);

  const load = async () => {
    try {
      const files = (await api<ListPage<FileObject>>('GET', '/v1/files?limit=1000')).data;
      if (files.length === 0) return replace(list, h('p', { class: 'empty' }, 'No files yet.'));
      replace(
        list,
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...COLUMNS.map(([name, narrow]) => h('th', { scope: 'col', class: narrow ? undefined : 'hide-narrow' }, name)))),
          h('tbody', {}, ...files.map((f) => row(f))),
        ),
      );
    } catch (err) {
      replace(list, notice('error', err instanceof ApiFailure ? err.message : String(err)));
    }
  };
  const row = (f: FileObject) => {
    const del = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${f.filename}` }, 'Delete');
    del.addEventListener('click', () => {
      del.disabled = true;
      api('DELETE', `/v1/files/${encodeURIComponent(f.id)}`)
        .then(() => load())
        .then(() => replace(status, notice('info', `Deleted ${f.filename}.`)))
        .catch((err: unknown) => {
          del.disabled = false;
          replace(status, notice('error', err instanceof ApiFailure ? err.message : String(err)));
        });
    });
    return h(
      'tr',
      { 'data-file': f.id },
      h('td', { class: 'filename' }, f.filename),
      h('td', { class: 'hide-narrow' }, f.id),
      h('td', { class: 'num' }, bytes(f.bytes)),
      h('td', { class: 'hide-narrow' }, f.purpose),
      h('td', { class: 'hide-narrow' }, dateTime(f.created_at)),
      h('td', {}, f.purpose === 'fine-tune' ? del : ''),
    );
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const file = input.files?.[0];
    if (file === undefined) return replace(status, notice('error', 'Choose a file to upload.'));
    progress.hidden = false;
    progress.value = 0;
    replace(status, notice('info', `Uploading ${file.name}…`));
    uploadFile(file, (loaded, total) => {
      progress.value = total > 0 ? Math.round((loaded / total) * 100) : 0;
      progress.setAttribute('data-loaded', String(loaded));
    })
      .then((f) => {
        progress.value = 100;
        replace(status, notice('info', `Uploaded ${f.filename} as ${f.id}.`));
        form.reset();
        return load();
      })
      .catch((err: unknown) => replace(status, notice('error', err instanceof ApiFailure ? err.message : String(err))));
  });
  void load();
}
