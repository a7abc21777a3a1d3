import { ADAPTER_TYPES } from '../../../src/domain/job';
import { DEFAULT_ADAPTER, LIMITS } from '../../../src/validation/create-job-request';
import { api, ApiFailure } from '../api-client';
import { field, h, notice, replace } from '../dom';
import { PLATFORM_OWNER, type FileObject, type Job, type ListPage, type Model } from '../types';
import { jobRequest, showFieldError } from './job-request';

const range = (r: { readonly min?: number; readonly minExclusive?: number; readonly max: number }, integer: boolean) =>
  `"auto" or ${integer ? 'an integer' : 'a number'} ${r.min !== undefined ? `from ${r.min}` : `above ${r.minExclusive}`} to ${r.max}`;

/**
 * A new fine-tuning job: the API's fields with its limits as hints. The API judges the request; its error is shown
 * at the field its `param` names (the form does not second-guess it: `novalidate`).
 */
export function newJobPage(main: HTMLElement): void {
  const text = (name: string, attrs: Record<string, string | number> = {}) => h('input', { type: 'text', name, autocomplete: 'off', ...attrs });
  const model = h('select', { name: 'model', required: true });
  const training = h('select', { name: 'training_file', required: true });
  const validation = h('select', { name: 'validation_file' }, h('option', { value: '' }, 'none'));
  const method = h('select', { name: 'method' }, h('option', { value: 'supervised' }, 'supervised'), h('option', { value: 'dpo' }, 'dpo'));
  const hp = {
    n_epochs: text('n_epochs', { placeholder: 'auto', inputmode: 'numeric' }),
    batch_size: text('batch_size', { placeholder: 'auto', inputmode: 'numeric' }),
    learning_rate_multiplier: text('learning_rate_multiplier', { placeholder: 'auto', inputmode: 'decimal' }),
    beta: text('beta', { placeholder: 'auto', inputmode: 'decimal' }),
  };
  const suffix = text('suffix', { maxlength: LIMITS.suffixMaxLength });
  const seed = text('seed', { inputmode: 'numeric', placeholder: 'random' });
  const metadata = h('textarea', { name: 'metadata', rows: 3, placeholder: 'team=support' });
  const adapter = {
    type: h('select', { name: 'adapter.type' }, ...ADAPTER_TYPES.map((t) => h('option', { value: t, selected: t === DEFAULT_ADAPTER.type }, t))),
    r: text('adapter.r', { inputmode: 'numeric', placeholder: String(DEFAULT_ADAPTER.r) }),
    alpha: text('adapter.alpha', { inputmode: 'decimal', placeholder: '2 × r' }),
    dropout: text('adapter.dropout', { inputmode: 'decimal', placeholder: String(DEFAULT_ADAPTER.dropout) }),
    target_modules: text('adapter.target_modules', { placeholder: String(DEFAULT_ADAPTER.target_modules) }),
  };
  const hpFields = {
    n_epochs: field('Epochs', hp.n_epochs, { hint: range(LIMITS.nEpochs, true) }),
    batch_size: field('Batch size', hp.batch_size, { hint: range(LIMITS.batchSize, true) }),
    learning_rate_multiplier: field('Learning-rate multiplier', hp.learning_rate_multiplier, { hint: range(LIMITS.learningRateMultiplier, false) }),
    beta: field('DPO beta', hp.beta, { hint: range(LIMITS.beta, false) }),
  };
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Create job');
  const form = h(
    'form',
    { class: 'card job-form', novalidate: true, 'aria-labelledby': 'new-job-title' },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Data and model'),
      field('Base model', model, { param: 'model' }),
      field('Training file', training, { param: 'training_file' }),
      field('Validation file', validation, { param: 'validation_file' }),
      field('Suffix', suffix, { param: 'suffix', hint: `up to ${LIMITS.suffixMaxLength} characters, part of the model name` }),
      field('Seed', seed, { param: 'seed', hint: `an integer from ${LIMITS.seed.min} to ${LIMITS.seed.max}` }),
      field('Metadata', metadata, { param: 'metadata', hint: `key=value, one per line, at most ${LIMITS.metadataMaxPairs}` }),
    ),
    h('fieldset', {}, h('legend', {}, 'Method and hyperparameters'), field('Method', method, { param: 'method.type' }), ...Object.values(hpFields)),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Adapter'),
      field('Type', adapter.type, { param: 'adapter.type', hint: 'qlora needs a CUDA GPU' }),
      field('Rank r', adapter.r, { param: 'adapter.r', hint: `an integer from ${LIMITS.loraRank.min} to ${LIMITS.loraRank.max}` }),
      field('Alpha', adapter.alpha, { param: 'adapter.alpha', hint: 'a number above 0' }),
      field('Dropout', adapter.dropout, { param: 'adapter.dropout', hint: 'from 0 up to (not including) 1' }),
      field('Target modules', adapter.target_modules, { param: 'adapter.target_modules', hint: '"all-linear" or names separated by commas' }),
    ),
    h('div', { class: 'buttons' }, submit),
    status,
  );
  main.append(h('div', { class: 'page-head' }, h('h1', { id: 'new-job-title' }, 'New fine-tuning job')), form);

  const methodChanged = () => {
    for (const [name, f] of Object.entries(hpFields)) f.setAttribute('data-param', `method.${method.value}.hyperparameters.${name}`);
    hpFields.beta.hidden = method.value !== 'dpo';
  };
  method.addEventListener('change', methodChanged);
  methodChanged();

  Promise.all([api<ListPage<Model>>('GET', '/v1/models'), api<ListPage<FileObject>>('GET', '/v1/files?purpose=fine-tune&limit=1000')])
    .then(([models, files]) => {
      model.append(...models.data.filter((m) => m.owned_by === PLATFORM_OWNER).map((m) => h('option', { value: m.id }, m.id)));
      const options = () => files.data.map((f) => h('option', { value: f.id }, `${f.filename} (${f.id})`));
      training.append(...options());
      validation.append(...options());
      if (files.data.length === 0) replace(status, notice('info', 'Upload a training file first (Files).'));
    })
    .catch((err: unknown) => replace(status, notice('error', err instanceof ApiFailure ? err.message : String(err))));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const slot of Array.from(form.querySelectorAll('.field-error'))) slot.replaceChildren();
    for (const f of Array.from(form.querySelectorAll('.field.invalid'))) f.classList.remove('invalid');
    status.replaceChildren();
    const values = {
      model: model.value, trainingFile: training.value, validationFile: validation.value, suffix: suffix.value, seed: seed.value, metadata: metadata.value, method: method.value,
      hyperparameters: { n_epochs: hp.n_epochs.value, batch_size: hp.batch_size.value, learning_rate_multiplier: hp.learning_rate_multiplier.value, ...(method.value === 'dpo' ? { beta: hp.beta.value } : {}) },
      adapter: { type: adapter.type.value, r: adapter.r.value, alpha: adapter.alpha.value, dropout: adapter.dropout.value, target_modules: adapter.target_modules.value },
    };
    submit.disabled = true;
    api<Job>('POST', '/v1/fine_tuning/jobs', jobRequest(values))
      .then((job) => {
        location.hash = `#/jobs/${encodeURIComponent(job.id)}`;
      })
      .catch((err: unknown) => {
        if (err instanceof ApiFailure && err.param !== null && showFieldError(form, err.param, err.message)) return;
        replace(status, notice('error', err instanceof ApiFailure ? err.message : String(err)));
      })
      .finally(() => (submit.disabled = false));
  });
}
