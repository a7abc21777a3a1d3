import { api, ApiFailure, streamChat } from '../api-client';
import { field, h, notice, replace } from '../dom';
import { PLATFORM_OWNER, type ListPage, type Model } from '../types';

interface Turn {
  readonly role: 'user' | 'assistant';
  content: string;
}

/** The base a fine-tuned model id (`<base>:<suffix>:<hash>`) was trained from: the longest base id it starts with. */
export function baseOf(fineTuned: string, bases: readonly Model[]): Model | undefined {
  return bases.filter((b) => fineTuned.startsWith(`${b.id}:`)).sort((a, b) => b.id.length - a.id.length)[0];
}

/** One side of the comparison: a model, its conversation, and the streamed answer as it arrives. */
function pane(title: string) {
  const heading = h('h2', {}, title);
  const log = h('ol', { class: 'chat-log', 'aria-live': 'polite' });
  const element = h('section', { class: 'pane' }, heading, log);
  let model = '';
  let turns: Turn[] = [];
  return {
    element,
    setModel(id: string) {
      model = id;
      turns = [];
      heading.textContent = `${title}: ${id}`;
      log.replaceChildren();
    },
    async ask(prompt: string, signal: AbortSignal): Promise<void> {
      turns.push({ role: 'user', content: prompt });
      log.append(h('li', { class: 'turn user' }, h('span', { class: 'who' }, 'You'), h('p', {}, prompt)));
      const answer: Turn = { role: 'assistant', content: '' };
      const text = h('p', { class: 'answer', 'data-streaming': 'true' });
      log.append(h('li', { class: 'turn assistant' }, h('span', { class: 'who' }, model), text));
      try {
        for await (const delta of streamChat(model, turns, signal)) {
          answer.content += delta;
          text.textContent = answer.content;
          text.setAttribute('data-chunks', String(Number(text.getAttribute('data-chunks') ?? '0') + 1));
        }
        turns.push(answer);
      } catch (err) {
        turns.pop();
        text.after(notice('error', err instanceof ApiFailure ? err.message : String(err)));
      } finally {
        text.setAttribute('data-streaming', 'false');
      }
    },
  };
}

/** Chat with a fine-tuned model and its base side by side, both answers streamed (server-sent events over fetch). */
export function playground(main: HTMLElement, chosen: string): () => void {
  const select = h('select', { name: 'model' });
  const prompt = h('textarea', { name: 'prompt', rows: 3, required: true });
  const send = h('button', { type: 'submit' }, 'Send');
  const stop = h('button', { type: 'button', disabled: true }, 'Stop');
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const tuned = pane('Fine-tuned');
  const base = pane('Base');
  const form = h('form', { class: 'card', 'aria-label': 'Ask both models' }, field('Fine-tuned model', select), field('Message', prompt), h('div', { class: 'buttons' }, send, stop));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Playground')), status, form, h('div', { class: 'panes' }, tuned.element, base.element));

  let bases: readonly Model[] = [];
  let controller: AbortController | undefined;
  const choose = () => {
    const b = baseOf(select.value, bases);
    tuned.setModel(select.value);
    base.setModel(b?.id ?? '—');
    send.disabled = b === undefined;
    if (b === undefined && select.value !== '') replace(status, notice('error', `No base model found for ${select.value}.`));
  };
  select.addEventListener('change', choose);
  api<ListPage<Model>>('GET', '/v1/models')
    .then((list) => {
      bases = list.data.filter((m) => m.owned_by === PLATFORM_OWNER);
      const fineTuned = list.data.filter((m) => m.owned_by !== PLATFORM_OWNER);
      if (fineTuned.length === 0) {
        send.disabled = true;
        return replace(status, notice('info', 'No fine-tuned model yet: once a job succeeds, its model can be compared with its base here.'));
      }
      select.append(...fineTuned.map((m) => h('option', { value: m.id, selected: m.id === chosen }, m.id)));
      choose();
    })
    .catch((err: unknown) => replace(status, notice('error', err instanceof ApiFailure ? err.message : String(err))));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = prompt.value.trim();
    if (text === '') return;
    prompt.value = '';
    controller = new AbortController();
    send.disabled = true;
    stop.disabled = false;
    select.disabled = true;
    void Promise.all([tuned.ask(text, controller.signal), base.ask(text, controller.signal)]).finally(() => {
      send.disabled = false;
      stop.disabled = true;
      select.disabled = false;
      prompt.focus();
    });
  });
  stop.addEventListener('click', () => controller?.abort());
  return () => controller?.abort();
}
