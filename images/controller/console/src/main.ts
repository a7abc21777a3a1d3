/** The console's entry: sign-in gate, navigation and hash routes (`#/jobs`, `#/jobs/<id>`, …). */
import { whenUnauthorized } from './api-client';
import { apiKey, signOut } from './session';
import { filesPage } from './views/files-page';
import { jobPage } from './views/job-page';
import { jobsList } from './views/jobs-list';
import { modelsPage } from './views/models-page';
import { newJobPage } from './views/new-job-page';
import { playground } from './views/playground';
import { signInPage } from './views/sign-in';

/** A page renders into `main` and may return what stops its timers when the page is left. */
export type Page = (main: HTMLElement, arg: string) => (() => void) | void;

const ROUTES: readonly { readonly pattern: RegExp; readonly page: Page; readonly title: string }[] = [
  { pattern: /^#\/jobs\/([^/]+)$/, page: jobPage, title: 'Job' },
  { pattern: /^#\/(?:jobs)?$/, page: jobsList, title: 'Jobs' },
  { pattern: /^#\/new-job$/, page: newJobPage, title: 'New job' },
  { pattern: /^#\/files$/, page: filesPage, title: 'Files' },
  { pattern: /^#\/models$/, page: modelsPage, title: 'Models' },
  { pattern: /^#\/playground(?:\/(.+))?$/, page: playground, title: 'Playground' },
];

let leave: (() => void) | void;

function render(): void {
  leave?.();
  leave = undefined;
  const main = document.getElementById('main') as HTMLElement;
  const nav = document.getElementById('nav') as HTMLElement;
  main.replaceChildren();
  if (apiKey() === null) {
    nav.hidden = true;
    document.title = 'Sign in · vpctune console';
    signInPage(main, () => {
      if (location.hash === '' || location.hash === '#/') location.hash = '#/jobs';
      else render();
    });
    return;
  }
  nav.hidden = false;
  const hash = location.hash === '' ? '#/jobs' : location.hash;
  for (const a of Array.from(nav.querySelectorAll('a'))) {
    const current = hash === a.getAttribute('href') || hash.startsWith(`${a.getAttribute('href') ?? ''}/`);
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const r of ROUTES) {
    const m = r.pattern.exec(hash);
    if (m === null) continue;
    document.title = `${r.title} · vpctune console`;
    leave = r.page(main, decodeURIComponent(m[1] ?? ''));
    return;
  }
  location.hash = '#/jobs';
}

function start(): void {
  whenUnauthorized(() => {
    signOut();
    render();
  });
  (document.getElementById('sign-out') as HTMLButtonElement).addEventListener('click', () => {
    signOut();
    render();
  });
  window.addEventListener('hashchange', render);
  render();
}

start();
