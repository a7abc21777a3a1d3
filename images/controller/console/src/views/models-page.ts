import { api, ApiFailure } from '../api-client';
import { h, notice, replace } from '../dom';
import { dateTime } from '../format';
import { PLATFORM_OWNER, type ListPage, type Model } from '../types';

/** Base models (the platform's) and this project's fine-tuned models; a fine-tuned one can be deleted. */
export function modelsPage(main: HTMLElement): void {
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const base = h('div', { class: 'table-wrap' });
  const tuned = h('div', { class: 'table-wrap' });
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Models')), status, h('section', { 'aria-labelledby': 'tuned-title' }, h('h2', { id: 'tuned-title' }, 'Fine-tuned models'), tuned), h('section', { 'aria-labelledby': 'base-title' }, h('h2', { id: 'base-title' }, 'Base models'), base));

  const table = (models: readonly Model[], actions: (m: Model) => HTMLElement | string) =>
    models.length === 0
      ? h('p', { class: 'empty' }, 'None.')
      : h(
          'table',
          {},
          // (Created is left out on a phone-wide screen: the model ids need the room)
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Created'), h('th', { scope: 'col' }, 'Servable'), h('th', { scope: 'col' }, ''))),
          h(
            'tbody',
            {},
            ...models.map((m) =>
              h(
                'tr',
                { 'data-model': m.id },
                h('td', {}, m.id),
                h('td', { class: 'hide-narrow' }, dateTime(m.created)),
                h('td', {}, m.servable === undefined ? '—' : m.servable ? 'yes' : 'no'),
                h('td', { class: 'actions' }, actions(m)),
              ),
            ),
          ),
        );

  const load = async () => {
    try {
      const models = (await api<ListPage<Model>>('GET', '/v1/models')).data;
      replace(base, table(models.filter((m) => m.owned_by === PLATFORM_OWNER), () => ''));
      replace(
        tuned,
        table(
          models.filter((m) => m.owned_by !== PLATFORM_OWNER),
          (m) => {
            const del = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${m.id}` }, 'Delete');
            del.addEventListener('click', () => {
              del.disabled = true;
              api('DELETE', `/v1/models/${encodeURIComponent(m.id)}`)
                .then(() => load())
                .then(() => replace(status, notice('info', `Deleted ${m.id}.`)))
                .catch((err: unknown) => {
                  del.disabled = false;
                  replace(status, notice('error', err instanceof ApiFailure ? err.message : String(err)));
                });
            });
            return h('span', {}, h('a', { href: `#/playground/${encodeURIComponent(m.id)}`, class: 'button' }, 'Chat'), ' ', del);
          },
        ),
      );
    } catch (err) {
      replace(status, notice('error', err instanceof ApiFailure ? err.message : String(err)));
    }
  };
  void load();
}
