/**
 * DOM building without HTML strings: every text (file names, suffixes, metadata, error messages) becomes a text
 * node, attributes go through setAttribute, so data from the API can never become markup or script.
 */
export type Child = Node | string | number | null | undefined | false;
export type Attrs = Readonly<Record<string, string | number | boolean | undefined | ((e: Event) => void)>>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: readonly Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: readonly Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A labelled form control: `<label for=id>` beside the control, an error slot the form fills when the API names it. */
export function field(label: string, control: HTMLElement, options: { readonly param?: string; readonly hint?: string } = {}): HTMLDivElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  control.setAttribute('aria-describedby', options.hint !== undefined ? `${hintId} ${errorId}` : errorId);
  return h(
    'div',
    { class: 'field', 'data-param': options.param },
    h('label', { for: id }, label),
    control,
    options.hint !== undefined ? h('small', { id: hintId, class: 'hint' }, options.hint) : null,
    h('div', { id: errorId, class: 'field-error', role: 'alert' }),
  );
}

/** A status line for a page: text only, announced politely. */
export function notice(kind: 'error' | 'info', text: string): HTMLParagraphElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}
