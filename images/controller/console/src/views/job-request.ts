/** The create-job body from the form's text, and the API's error placed at the field it names. */

export interface JobFormValues {
  readonly model: string;
  readonly trainingFile: string;
  readonly validationFile: string;
  readonly suffix: string;
  readonly seed: string;
  /** `key=value` lines. */
  readonly metadata: string;
  readonly method: string;
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly adapter: Readonly<Record<string, string>>;
}

/** Empty means the API's default; a number stays a number; anything else goes as typed, for the API to judge. */
function value(text: string): string | number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : t;
}

function defined(entries: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

export function jobRequest(v: JobFormValues): Record<string, unknown> {
  const metadata: Record<string, string> = {};
  for (const line of v.metadata.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    metadata[(at < 0 ? line : line.slice(0, at)).trim()] = at < 0 ? '' : line.slice(at + 1).trim();
  }
  const targets = v.adapter['target_modules']?.trim() ?? '';
  const adapter = defined({
    type: v.adapter['type'],
    r: value(v.adapter['r'] ?? ''),
    alpha: value(v.adapter['alpha'] ?? ''),
    dropout: value(v.adapter['dropout'] ?? ''),
    target_modules: targets === '' ? undefined : targets === 'all-linear' ? targets : targets.split(',').map((t) => t.trim()),
  });
  const hyperparameters = defined(Object.fromEntries(Object.entries(v.hyperparameters).map(([k, t]) => [k, value(t)])));
  return defined({
    model: v.model,
    training_file: v.trainingFile,
    validation_file: v.validationFile === '' ? undefined : v.validationFile,
    suffix: v.suffix === '' ? undefined : v.suffix,
    seed: value(v.seed),
    metadata: Object.keys(metadata).length === 0 ? undefined : metadata,
    method: { type: v.method, [v.method]: { hyperparameters } },
    adapter,
  });
}

/**
 * Shows `message` at the field whose `data-param` is `param`, or else the closest enclosing one (`metadata.team` →
 * `metadata`); focuses its control. False when no field matches (the caller shows it above the form).
 */
export function showFieldError(form: HTMLFormElement, param: string, message: string): boolean {
  const fields = Array.from(form.querySelectorAll<HTMLElement>('.field[data-param]')).filter((f) => !f.hidden);
  const match =
    fields.find((f) => f.dataset['param'] === param) ??
    fields.filter((f) => param.startsWith(`${f.dataset['param'] ?? ''}.`)).sort((a, b) => (b.dataset['param'] ?? '').length - (a.dataset['param'] ?? '').length)[0];
  if (match === undefined) return false;
  match.classList.add('invalid');
  const slot = match.querySelector('.field-error');
  slot?.replaceChildren(...message.split('\n').map((line) => Object.assign(document.createElement('p'), { textContent: line })));
  match.querySelector<HTMLElement>('input, select, textarea')?.focus();
  return true;
}
