/**
 * DOM building blocks for the detail page. Everything that shows stored data goes through
 * `textContent` (or attributes set one by one): run outputs are hostile data and must never
 * be parsed as HTML.
 */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

export function codicon(name: string, extraClass?: string): HTMLElement {
  const icon = el('span', `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`);
  icon.setAttribute('aria-hidden', 'true');
  return icon;
}

export function setTestId(element: HTMLElement, testId: string): void {
  element.setAttribute('data-testid', testId);
}

export interface ButtonOptions {
  /** Accessible name; also the tooltip unless `title` is given. */
  readonly label: string;
  readonly icon?: string;
  /** Visible text; icon-only when absent. */
  readonly text?: string;
  readonly className?: string;
  readonly title?: string;
  readonly testId?: string;
  readonly onClick: (event: MouseEvent) => void;
}

export function button(options: ButtonOptions): HTMLButtonElement {
  const base = options.text === undefined ? 'icon-button' : 'text-button';
  const result = el('button', options.className ? `${base} ${options.className}` : base);
  result.type = 'button';
  result.setAttribute('aria-label', options.label);
  result.title = options.title ?? options.label;
  if (options.icon) result.append(codicon(options.icon));
  if (options.text !== undefined) result.append(el('span', 'button-text', options.text));
  if (options.testId) setTestId(result, options.testId);
  result.addEventListener('click', options.onClick);
  return result;
}

/** Briefly swaps an icon button's codicon for a check mark, as feedback after a copy. */
export function flashDone(target: HTMLButtonElement): void {
  const icon = target.querySelector('.codicon');
  if (!icon) return;
  icon.classList.add('codicon-check');
  target.classList.add('done');
  window.setTimeout(() => {
    icon.classList.remove('codicon-check');
    target.classList.remove('done');
  }, 1200);
}

/**
 * Characters that are invisible or reorder their neighbours: controls, bidi embeddings,
 * overrides and isolates, zero-width characters, soft hyphen, line/paragraph separators,
 * Unicode tags. Shown as `\uXXXX` escapes so hostile text cannot hide or disguise itself.
 * Variation selectors stay: emoji need them and they cannot reorder anything.
 */
// Combining marks (U+034F, U+17B4-5, U+180B-D) sit outside the class: lint refuses them in one.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb]|\u034f|\u17b4|\u17b5|\u180b|\u180c|\u180d|\udb40[\udc00-\udc7f]/g;

function escapeUnit(unit: string): string {
  return unit.replace(/[\s\S]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A string as a JSON string literal, with invisible and reordering characters escaped. */
export function displayString(text: string): string {
  return JSON.stringify(text).replace(INVISIBLE, escapeUnit);
}

/** Text that may contain hostile characters, escaped for display but otherwise unchanged. */
export function displayText(text: string): string {
  return text.replace(INVISIBLE, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : escapeUnit(c)));
}

/** A key or node id: plain when it reads unambiguously, else as a JSON string literal. */
export function displayName(text: string): string {
  INVISIBLE.lastIndex = 0;
  const plain = text.length > 0 && !INVISIBLE.test(text) && !/["\\]/.test(text) && text.trim() === text;
  INVISIBLE.lastIndex = 0;
  return plain ? text : displayString(text);
}

/**
 * Appends `text` to `parent`, wrapping the occurrences of `needle` (already case-folded) in
 * highlight marks. Only text nodes and spans are created.
 */
export function appendHighlighted(parent: HTMLElement, text: string, needle: string | undefined): void {
  if (!needle) {
    parent.append(text);
    return;
  }
  const folded = text.toLowerCase();
  // A case mapping that changes the length (e.g. "İ") would shift the offsets: no marks then.
  if (folded.length !== text.length) {
    parent.append(text);
    return;
  }
  let from = 0;
  let marks = 0;
  for (;;) {
    const at = folded.indexOf(needle, from);
    if (at < 0 || marks >= 50) break;
    if (at > from) parent.append(text.slice(from, at));
    parent.append(el('mark', 'match', text.slice(at, at + needle.length)));
    from = at + needle.length;
    marks++;
  }
  if (from < text.length) parent.append(text.slice(from));
}

/** 12345 -> "12,345" without depending on the page's locale. */
export function groupDigits(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
