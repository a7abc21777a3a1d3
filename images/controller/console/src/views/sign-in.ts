import { api, ApiFailure } from '../api-client';
import { field, h, notice } from '../dom';
import { signIn } from '../session';

/** Sign-in with an API key: checked with `GET /v1/models`, then kept in this tab's sessionStorage only. */
export function signInPage(main: HTMLElement, signedIn: () => void): void {
  const input = h('input', { type: 'password', name: 'api-key', autocomplete: 'off', required: true, placeholder: 'sk-vpct-…', spellcheck: 'false' });
  const status = h('div', { class: 'status' });
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, 'Use an API key of your project (vpctune keys create --project NAME). It stays in this tab only.'),
    field('API key', input),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const key = input.value.trim();
    status.replaceChildren();
    api('GET', '/v1/models', undefined, key)
      .then(() => {
        signIn(key);
        signedIn();
      })
      .catch((err: unknown) => status.append(notice('error', err instanceof ApiFailure ? err.message : String(err))));
  });
  main.append(form);
  input.focus();
}
