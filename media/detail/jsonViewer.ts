/**
 * A lazy, keyboard-accessible JSON tree. Children exist in the DOM only while their parent
 * is expanded, and at most SLICE more at a time, so even a 100,000-element array costs a
 * hundred rows. Under a filter only matching members are listed, and the ancestors of
 * matches open by themselves until the viewer's row budget is spent.
 */
import { previewValue } from '../../src/core/format';
import { isJsonObject, JsonNumber, JsonObject, JsonValue, stringifyJson } from '../../src/core/json';
import { MAX_COPY_CHARS, WebviewMessage } from '../../src/shared/protocol';
import { appendHighlighted, button, codicon, displayName, displayString, displayText, el, flashDone, groupDigits, setTestId } from './dom';
import { bracketPath, indexPath, memberPath } from './jsonPath';
import { Query } from './query';

/** Children rendered per "Show more" step. */
export const SLICE = 100;
/** Strings longer than this are cut, with a "show more" toggle. */
export const STRING_PREVIEW = 300;
/** Even expanded, a string shows at most this much; "Copy value" has all of it. */
const STRING_MAX_SHOWN = 100_000;
/** Rows one viewer may add by opening containers on its own (not by a user's click). */
export const AUTO_ROWS = 300;
/** Without a filter, only containers this small open on their own. */
const AUTO_OPEN_MAX_CHILDREN = 20;

type Key = string | number;

export interface ViewerOptions {
  readonly value: JsonValue;
  /** The path of the value itself, e.g. `$.outputs["fetch"]`. */
  readonly rootPath: string;
  /** Accessible name of the tree. */
  readonly label: string;
  /** Top-level members are map keys (the context): write them `["key"]` like node ids. */
  readonly bracketTopLevel?: boolean;
  readonly query?: Query;
  /** Without a filter, small containers down to this depth start open. */
  readonly autoDepth?: number;
  /** Rows left for auto-expansion; several viewers built by one filter change share one. */
  readonly budget?: { rows: number };
  readonly post: (message: WebviewMessage) => void;
  /** The run shown: number rows then offer "Plot across runs" (an action on that run). */
  readonly runId?: string;
  readonly notify: (text: string) => void;
}

function isContainer(value: JsonValue): value is JsonValue[] | JsonObject {
  return Array.isArray(value) || isJsonObject(value);
}

class Entry {
  expanded = false;
  /** Set once the user opened or closed it: auto-expansion then leaves it alone. */
  decided = false;
  stringExpanded = false;
  /** The children listed while expanded: object keys or array indices (all indices when undefined). */
  keys: readonly Key[] | undefined;
  count = 0;
  shown = 0;
  row: HTMLElement | undefined;
  group: HTMLElement | undefined;
  more: HTMLElement | undefined;
  private memberCount: number | undefined;
  private children: Map<Key, Entry> | undefined;

  constructor(
    readonly key: Key | undefined,
    readonly value: JsonValue,
    readonly path: string,
    readonly depth: number,
    readonly parent: Entry | undefined,
  ) {}

  get size(): number {
    if (this.memberCount === undefined) {
      const value = this.value;
      this.memberCount = Array.isArray(value) ? value.length : isJsonObject(value) ? Object.keys(value).length : 0;
    }
    return this.memberCount;
  }

  get expandable(): boolean {
    return isContainer(this.value) && this.size > 0;
  }

  child(key: Key, bracketKeys: boolean): Entry {
    this.children ??= new Map();
    let entry = this.children.get(key);
    if (!entry) {
      const value = Array.isArray(this.value) ? this.value[key as number] : (this.value as JsonObject)[key as string];
      const path = typeof key === 'number' ? indexPath(this.path, key) : bracketKeys ? bracketPath(this.path, key) : memberPath(this.path, key);
      entry = new Entry(key, value, path, this.depth + 1, this);
      this.children.set(key, entry);
    }
    return entry;
  }
}

export class JsonViewer {
  readonly element: HTMLElement;
  private readonly root: Entry;
  private readonly rows = new WeakMap<HTMLElement, Entry>();
  private readonly moreButtons = new WeakMap<HTMLElement, Entry>();
  private readonly budget: { rows: number };
  private active: HTMLElement | undefined;
  /** One "Copy value / Copy path" toolbar per tree, moved to the hovered or focused row. */
  private readonly actions: HTMLElement;
  private readonly copyPath: HTMLButtonElement;
  private readonly plot: HTMLButtonElement;
  private actionsRow: HTMLElement | undefined;

  constructor(private readonly options: ViewerOptions) {
    this.element = el('div', 'json-tree');
    this.element.setAttribute('role', 'tree');
    this.element.setAttribute('aria-label', options.label);
    this.budget = options.budget ?? { rows: AUTO_ROWS };
    [this.actions, this.copyPath, this.plot] = this.renderActions();
    this.root = new Entry(undefined, options.value, options.rootPath, -1, undefined);
    if (this.root.expandable) {
      // A container's members are the top-level rows: the section header stands for it.
      this.root.group = this.element;
      this.open(this.root);
    } else {
      const single = new Entry(undefined, options.value, options.rootPath, 0, undefined);
      this.element.append(this.renderRow(single));
    }
    this.element.addEventListener('click', (event) => this.onClick(event));
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.element.addEventListener('focusin', (event) => this.onFocusIn(event));
    this.element.addEventListener('mouseover', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('.json-row');
      // A keyboard user on a copy button keeps the toolbar where it is; a mouse moves it.
      const keyboardInActions = this.actions.contains(document.activeElement) && document.activeElement?.matches(':focus-visible');
      if (row && row !== this.actionsRow && !keyboardInActions) this.attachActions(row);
    });
    const first = this.items()[0];
    if (first) this.setActive(first);
  }

  /** Focuses the tree's current row (the roving tab stop). */
  focus(): void {
    (this.active ?? this.items()[0])?.focus();
  }

  private get needle(): string | undefined {
    return this.options.query?.needle;
  }

  // ---- structure ---------------------------------------------------------------------

  private visibleKeys(entry: Entry): readonly Key[] | undefined {
    const value = entry.value;
    const query = this.options.query;
    if (Array.isArray(value)) {
      if (!query) return undefined;
      const matching: number[] = [];
      for (let i = 0; i < value.length; i++) if (query.valueMatches(value[i])) matching.push(i);
      return matching.length > 0 ? matching : undefined;
    }
    if (!isJsonObject(value)) return [];
    const all = Object.keys(value);
    if (!query) return all;
    const matching = all.filter((key) => query.entryMatches(key, value[key]));
    // A container that matched only by its own key (or the node id) shows all of itself.
    return matching.length > 0 ? matching : all;
  }

  private open(entry: Entry): void {
    entry.expanded = true;
    entry.keys = this.visibleKeys(entry);
    entry.count = entry.keys ? entry.keys.length : entry.size;
    entry.shown = 0;
    if (entry.row) {
      entry.row.setAttribute('aria-expanded', 'true');
      entry.row.classList.add('expanded');
      const group = el('div', 'json-group');
      group.setAttribute('role', 'group');
      group.style.setProperty('--depth', String(entry.depth));
      entry.group = group;
      entry.row.after(group);
    }
    this.renderSlice(entry);
  }

  private close(entry: Entry): void {
    const group = entry.group;
    if (!group || !entry.row) return;
    const hadFocus = group.contains(document.activeElement);
    entry.expanded = false;
    entry.group = undefined;
    entry.more = undefined;
    group.remove();
    entry.row.setAttribute('aria-expanded', 'false');
    entry.row.classList.remove('expanded');
    if (hadFocus || !this.active?.isConnected) {
      this.setActive(entry.row);
      if (hadFocus) entry.row.focus();
    }
  }

  private toggle(entry: Entry): void {
    entry.decided = true;
    if (entry.expanded) this.close(entry);
    else this.open(entry);
  }

  /** Renders the next slice of an open entry's children; returns the first new row. */
  private renderSlice(entry: Entry): HTMLElement | undefined {
    const group = entry.group;
    if (!group) return undefined;
    entry.more?.remove();
    entry.more = undefined;
    const end = Math.min(entry.count, entry.shown + SLICE);
    const fragment = document.createDocumentFragment();
    let first: HTMLElement | undefined;
    const bracketKeys = entry === this.root && this.options.bracketTopLevel === true;
    for (let i = entry.shown; i < end; i++) {
      const key = entry.keys ? entry.keys[i] : i;
      const row = this.renderEntry(entry.child(key, bracketKeys), fragment);
      first ??= row;
    }
    entry.shown = end;
    const remaining = entry.count - end;
    if (remaining > 0) {
      entry.more = this.renderMore(entry, remaining);
      fragment.append(entry.more);
    } else if (this.options.query && entry === this.root && entry.count < entry.size) {
      // Only at the top: nested containers show their full size in their own `{n}`.
      const note = el('div', 'json-note', `${groupDigits(entry.size - entry.count)} more hidden by the filter`);
      note.style.setProperty('--depth', String(entry.depth + 1));
      fragment.append(note);
    }
    group.append(fragment);
    return first;
  }

  private renderEntry(entry: Entry, parent: DocumentFragment | HTMLElement): HTMLElement {
    const row = this.renderRow(entry);
    parent.append(row);
    this.budget.rows--;
    if (entry.expandable && (entry.decided ? entry.expanded : entry.expanded || this.shouldAutoOpen(entry))) this.open(entry);
    return row;
  }

  private shouldAutoOpen(entry: Entry): boolean {
    if (this.budget.rows <= 0) return false;
    const query = this.options.query;
    if (query) return query.valueMatches(entry.value);
    // Small containers among few siblings: a record's fields, not the rows of a table.
    const siblings = entry.parent?.count ?? 0;
    return (
      entry.depth < (this.options.autoDepth ?? 0) &&
      entry.size <= AUTO_OPEN_MAX_CHILDREN &&
      siblings <= AUTO_OPEN_MAX_CHILDREN &&
      this.budget.rows >= entry.size
    );
  }

  private renderMore(entry: Entry, remaining: number): HTMLElement {
    const line = el('div', 'json-more');
    line.setAttribute('role', 'none');
    line.style.setProperty('--depth', String(entry.depth + 1));
    const step = Math.min(SLICE, remaining);
    const more = button({
      label: `Show ${step} more of ${remaining} remaining`,
      text: `Show ${step} more… (${remaining} remaining)`,
      className: 'link-button more-button',
      onClick: () => {
        const hadFocus = document.activeElement === more;
        const first = this.renderSlice(entry);
        if (first && (hadFocus || !this.active?.isConnected)) {
          this.setActive(first);
          if (hadFocus) first.focus();
        }
      },
    });
    more.tabIndex = -1;
    this.moreButtons.set(more, entry);
    line.append(more);
    return line;
  }

  // ---- rows --------------------------------------------------------------------------

  private renderRow(entry: Entry): HTMLElement {
    const row = el('div', 'json-row');
    setTestId(row, 'json-row');
    row.setAttribute('role', 'treeitem');
    row.tabIndex = -1;
    row.setAttribute('aria-level', String(entry.depth + 1));
    row.style.setProperty('--depth', String(entry.depth));
    this.rows.set(row, entry);
    entry.row = row;

    if (entry.expandable) {
      row.append(codicon('chevron-right', 'twisty'));
      row.setAttribute('aria-expanded', 'false');
    } else {
      row.append(el('span', 'twisty'));
    }
    const line = el('span', 'json-line');
    let keyText: string | undefined;
    if (entry.key !== undefined) {
      const isIndex = typeof entry.key === 'number';
      keyText = isIndex ? String(entry.key) : displayName(entry.key as string);
      const key = el('span', isIndex ? 'json-key json-index' : 'json-key');
      appendHighlighted(key, keyText, isIndex ? undefined : this.needle);
      line.append(key, el('span', 'json-colon', ': '));
    }
    line.append(this.renderValue(entry));
    row.append(line);
    const summary = displayText(previewValue(entry.value, 80));
    row.setAttribute('aria-label', keyText === undefined ? summary : `${keyText}: ${summary}`);
    return row;
  }

  private renderValue(entry: Entry): HTMLElement {
    const value = entry.value;
    if (value === null) return this.primitive('v-null', 'null');
    if (typeof value === 'boolean') return this.primitive('v-boolean', String(value));
    if (typeof value === 'number' || value instanceof JsonNumber) return this.primitive('v-number', String(value));
    if (typeof value === 'string') return this.renderString(entry, value);
    const wrap = el('span', 'json-value v-container');
    const size = entry.size;
    const count = size === 0 ? (Array.isArray(value) ? '[]' : '{}') : Array.isArray(value) ? `[${size}]` : `{${size}}`;
    wrap.append(el('span', 'json-count', count));
    if (size > 0) {
      // previewValue starts with the same count: keep only the contents after it.
      const preview = previewValue(value, 100);
      wrap.append(el('span', 'json-preview', displayText(preview.slice(preview.indexOf(' ') + 1))));
    }
    return wrap;
  }

  private primitive(kind: string, text: string): HTMLElement {
    const span = el('span', `json-value ${kind}`);
    appendHighlighted(span, text, this.needle);
    return span;
  }

  private renderString(entry: Entry, text: string): HTMLElement {
    const span = el('span', 'json-value v-string');
    if (text.length <= STRING_PREVIEW) {
      appendHighlighted(span, displayString(text), this.needle);
      return span;
    }
    const fill = (): void => {
      span.textContent = '';
      const limit = entry.stringExpanded ? STRING_MAX_SHOWN : STRING_PREVIEW;
      const cut = text.length > limit ? cutAt(text, limit) : text.length;
      const literal = displayString(text.slice(0, cut));
      appendHighlighted(span, cut < text.length ? `${literal.slice(0, -1)}…` : literal, this.needle);
      const toggle = button({
        label: entry.stringExpanded ? 'Show less of this string' : `Show all ${groupDigits(text.length)} characters`,
        text: entry.stringExpanded ? 'show less' : `show more (${groupDigits(text.length)} chars)`,
        className: 'link-button string-toggle',
        onClick: (event) => {
          event.stopPropagation();
          entry.stringExpanded = !entry.stringExpanded;
          fill();
        },
      });
      toggle.tabIndex = -1;
      span.append(' ', toggle);
      if (cut < text.length && entry.stringExpanded) {
        span.append(el('span', 'json-note-inline', ` ${groupDigits(text.length - cut)} more characters: use Copy value`));
      }
    };
    fill();
    span.classList.add('long');
    return span;
  }

  private renderActions(): [HTMLElement, HTMLButtonElement, HTMLButtonElement] {
    const bar = el('span', 'row-actions');
    const entry = (): Entry | undefined => (this.actionsRow ? this.rows.get(this.actionsRow) : undefined);
    const copyValue: HTMLButtonElement = button({
      icon: 'copy',
      label: 'Copy value',
      className: 'row-action',
      onClick: (event) => {
        event.stopPropagation();
        const target = entry();
        if (target) this.copy('value', stringifyJson(target.value), copyValue);
      },
    });
    const copyPath: HTMLButtonElement = button({
      icon: 'link',
      label: 'Copy path',
      className: 'row-action',
      onClick: (event) => {
        event.stopPropagation();
        const target = entry();
        if (target) this.copy('path', target.path, copyPath);
      },
    });
    const plot: HTMLButtonElement = button({
      icon: 'graph-line',
      label: 'Plot across runs',
      className: 'row-action',
      testId: 'json-plot',
      onClick: (event) => {
        event.stopPropagation();
        const target = entry();
        const runId = this.options.runId;
        if (target && runId !== undefined && isNumber(target.value)) this.options.post({ type: 'action', action: 'plot', id: runId, path: target.path });
      },
    });
    plot.hidden = true;
    bar.append(copyValue, copyPath, plot);
    return [bar, copyPath, plot];
  }

  private attachActions(row: HTMLElement): void {
    const entry = this.rows.get(row);
    if (!entry) return;
    this.actionsRow = row;
    // Re-appending would detach the buttons between mousedown and mouseup: no click then.
    if (this.actions.parentElement !== row) row.append(this.actions);
    const path = displayText(entry.path.length > 200 ? `${entry.path.slice(0, 200)}…` : entry.path);
    this.copyPath.title = `Copy path ${path}`;
    this.plot.hidden = this.options.runId === undefined || !isNumber(entry.value);
    if (!this.plot.hidden) this.plot.title = `Plot ${path} across runs`;
    // Tabbable only on the tree's current row, right after it in the tab order.
    const tabIndex = row === this.active ? 0 : -1;
    this.actions.querySelectorAll<HTMLElement>('button').forEach((action) => (action.tabIndex = tabIndex));
  }

  private copy(what: 'value' | 'path', text: string, source: HTMLButtonElement): void {
    if (text.length > MAX_COPY_CHARS) {
      this.options.notify('This value is too large to copy from the panel: use Open Raw.');
      return;
    }
    this.options.post({ type: 'copy', what, text });
    flashDone(source);
  }

  // ---- input -------------------------------------------------------------------------

  /** Rows and "show more" buttons, in display order: the keyboard moves through these. */
  private items(): HTMLElement[] {
    return Array.from(this.element.querySelectorAll<HTMLElement>('.json-row, .more-button'));
  }

  private setActive(item: HTMLElement): void {
    if (this.active === item) return;
    if (this.active) this.active.tabIndex = -1;
    this.active = item;
    item.tabIndex = 0;
    if (item.classList.contains('json-row')) this.attachActions(item);
  }

  private onFocusIn(event: FocusEvent): void {
    const item = (event.target as HTMLElement).closest<HTMLElement>('.json-row, .more-button');
    if (item && this.element.contains(item)) this.setActive(item);
  }

  private onClick(event: MouseEvent): void {
    const target = event.target as HTMLElement;
    if (target.closest('button')) return;
    const row = target.closest<HTMLElement>('.json-row');
    const entry = row ? this.rows.get(row) : undefined;
    if (!row || !entry) return;
    // A drag that selected text is a copy gesture, not a click.
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed && row.contains(selection.anchorNode)) return;
    row.focus();
    if (entry.expandable) this.toggle(entry);
  }

  private onKeyDown(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    const isRow = target.classList.contains('json-row');
    const isMore = target.classList.contains('more-button');
    if ((!isRow && !isMore) || event.altKey || event.ctrlKey || event.metaKey) return;
    const entry = isRow ? this.rows.get(target) : undefined;
    const items = this.items();
    const index = items.indexOf(target);
    const move = (to: number): void => {
      const item = items[Math.max(0, Math.min(items.length - 1, to))];
      item?.focus();
      item?.scrollIntoView({ block: 'nearest' });
    };
    switch (event.key) {
      case 'ArrowDown':
        move(index + 1);
        break;
      case 'ArrowUp':
        move(index - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(items.length - 1);
        break;
      case 'ArrowRight':
        if (entry?.expandable) {
          if (!entry.expanded) this.toggle(entry);
          else move(index + 1);
        }
        break;
      case 'ArrowLeft': {
        if (entry?.expandable && entry.expanded) {
          this.toggle(entry);
          break;
        }
        const parent = entry ? entry.parent : this.moreButtons.get(target);
        if (parent?.row?.isConnected) {
          parent.row.focus();
          parent.row.scrollIntoView({ block: 'nearest' });
        }
        break;
      }
      case 'Enter':
      case ' ':
        if (!entry) return; // a "show more" button handles these itself
        if (entry.expandable) this.toggle(entry);
        else target.querySelector<HTMLButtonElement>('.string-toggle')?.click();
        break;
      default:
        return;
    }
    event.preventDefault();
  }
}

function isNumber(value: JsonValue): boolean {
  return typeof value === 'number' || value instanceof JsonNumber;
}

/** A cut position that does not split a surrogate pair. */
function cutAt(text: string, limit: number): number {
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}
