/**
 * One collapsible block of the page: a node's output, the context, or the other fields.
 * Its JSON text is parsed only when the block is first opened (or when a filter needs to
 * look inside it), and its viewer is built only while it is open.
 */
import { formatBytes, utf8ByteLength } from '../../src/core/format';
import { JsonSyntaxError, JsonValue, parseJson } from '../../src/core/json';
import { MAX_COPY_CHARS, NodeStatusView, NodeView, WebviewMessage } from '../../src/shared/protocol';
import { button, codicon, displayName, displayText, el, flashDone, setTestId } from './dom';
import { JsonViewer } from './jsonViewer';
import { fold, Query } from './query';

export interface SectionSource {
  readonly kind: 'node' | 'context' | 'other';
  /** Node id, or "context" / "other". */
  readonly key: string;
  /** Stored JSON text, exact numbers; undefined for a big output not loaded yet. */
  readonly json: string | undefined;
  readonly rootPath: string;
  readonly bracketTopLevel: boolean;
  readonly node?: NodeView;
}

export interface SectionHost {
  readonly post: (message: WebviewMessage) => void;
  readonly notify: (text: string) => void;
  /** The run shown: a node section's "Node History" button names it. */
  readonly runId?: string;
}

const STATUS: Record<NodeStatusView, { icon: string; text: string; title: string }> = {
  executed: { icon: 'pass', text: 'Executed', title: 'Executed: listed in completed_nodes' },
  skipped: { icon: 'debug-step-over', text: 'Skipped', title: 'Skipped: its run_if guard was false' },
  'output-only': { icon: 'question', text: 'Output only', title: 'Has an output but is not listed in completed_nodes' },
};

/** Bytes of output under which a section's nested members start open. */
const SMALL_OUTPUT = 2048;

let nextSectionId = 0;
/** Ids of `loadOutput` requests, unique in the page. */
let nextRequestId = 1;

export class Section {
  private built: { readonly element: HTMLElement; readonly toggle: HTMLButtonElement; readonly body: HTMLElement } | undefined;
  private readonly id = `section-${nextSectionId++}`;
  private expanded = false;
  private parsed: { readonly value: JsonValue } | { readonly error: string } | undefined;
  private folded: string | undefined;
  private viewer: JsonViewer | undefined;
  private query: Query | undefined;
  private budget: { rows: number } | undefined;
  /** The JSON text: the source's, or a big output once the host sent it. */
  private json: string | undefined;
  /** The `loadOutput` request this section waits for (its reply carries the same id). */
  private request: number | undefined;
  /** Place in the node list (aria-posinset / aria-setsize), 1-based. */
  private position: { readonly index: number; readonly size: number } | undefined;


  constructor(
    readonly source: SectionSource,
    private readonly host: SectionHost,
  ) {
    this.json = source.json;
  }

  /**
   * The section's DOM, built on first use. A windowed list builds it when the section comes
   * on screen and drops it (`release`) when it leaves; the parsed value and viewer stay.
   */
  get element(): HTMLElement {
    return (this.built ??= this.build()).element;
  }

  /** Whether the DOM exists (the section is, or was just, in the page). */
  get isBuilt(): boolean {
    return this.built !== undefined;
  }

  /** Forgets the DOM (the section left the page); it is built again when next shown. */
  release(): void {
    this.built = undefined;
  }

  /** Its place among the nodes shown, for assistive technology. */
  setPosition(index: number, size: number): void {
    if (this.position?.index === index && this.position.size === size) return;
    this.position = { index, size };
    if (this.built) this.applyPosition(this.built.element);
  }

  private applyPosition(element: HTMLElement): void {
    if (!this.position) return;
    element.setAttribute('aria-posinset', String(this.position.index));
    element.setAttribute('aria-setsize', String(this.position.size));
  }

  private build(): { element: HTMLElement; toggle: HTMLButtonElement; body: HTMLElement } {
    const { source, id } = this;
    const element = el('section', `section section-${source.kind}`);
    if (source.kind === 'node') {
      setTestId(element, 'node-section');
      element.setAttribute('data-node-id', source.key);
      element.setAttribute('role', 'listitem');
      this.applyPosition(element);
    } else {
      setTestId(element, `${source.kind}-section`);
    }

    const header = el('div', 'section-header');
    const heading = el('h3', 'section-heading');
    const toggle = el('button', 'section-toggle');
    toggle.type = 'button';
    toggle.setAttribute('aria-expanded', String(this.expanded));
    toggle.setAttribute('aria-controls', `${id}-body`);
    toggle.append(codicon('chevron-right', 'twisty'), ...this.headerParts());
    toggle.addEventListener('click', () => this.setExpanded(!this.expanded));
    heading.append(toggle);
    header.append(heading);
    if (source.kind === 'node' && this.host.runId !== undefined) {
      const runId = this.host.runId;
      header.append(
        button({
          icon: 'history',
          label: `Show the history of node ${displayName(source.key)} across runs`,
          className: 'section-action',
          testId: 'node-history',
          onClick: () => this.host.post({ type: 'action', action: 'nodeHistory', id: runId, nodeId: source.key }),
        }),
      );
    }
    if (this.hasValue) {
      const copy: HTMLButtonElement = button({
        icon: 'copy',
        label: `Copy ${this.describe()}`,
        className: 'section-action',
        onClick: () => {
          if (this.json === undefined) {
            this.host.notify('Open this output first: it is loaded when shown.');
            return;
          }
          if (this.json.length > MAX_COPY_CHARS) {
            this.host.notify('This value is too large to copy from the panel: use Open Raw.');
            return;
          }
          this.host.post({ type: 'copy', what: 'value', text: this.json });
          flashDone(copy);
        },
      });
      header.append(copy);
    } else {
      // Keeps the meta column aligned with the sections that have a copy button.
      header.append(el('span', 'section-action-placeholder'));
    }

    const body = el('div', 'section-body');
    body.id = `${id}-body`;
    body.setAttribute('role', 'region');
    body.setAttribute('aria-label', this.describe());
    body.hidden = !this.expanded;
    element.classList.toggle('expanded', this.expanded);
    element.append(header, body);
    const built = { element, toggle, body };
    this.built = built;
    if (this.expanded) this.fillBody();
    return built;
  }

  get isExpanded(): boolean {
    return this.expanded;
  }

  /** Whether there is a JSON value to show (not for a node without an output entry). */
  private get hasValue(): boolean {
    return this.source.node?.outputType !== 'none';
  }

  private describe(): string {
    const { kind, key } = this.source;
    if (kind === 'node') return `output of node ${displayName(key)}`;
    return kind === 'context' ? 'context' : 'other fields';
  }

  private headerParts(): HTMLElement[] {
    const { kind, key, node } = this.source;
    const json = this.json ?? '';
    if (kind === 'node' && node) {
      const status = STATUS[node.status] ?? STATUS['output-only'];
      const badge = el('span', `node-status status-${node.status}`);
      setTestId(badge, 'node-status');
      badge.setAttribute('data-status', node.status);
      badge.title = status.title;
      badge.append(codicon(status.icon), el('span', 'status-text', status.text));
      const name = el('span', 'section-name node-id', displayName(key));
      name.title = displayName(key);
      const meta = node.outputType === 'none' ? 'no output' : `${node.outputType} · ${formatBytes(node.outputBytes)}`;
      return [badge, name, el('span', 'section-meta', meta)];
    }
    const icon = codicon(kind === 'context' ? 'symbol-namespace' : 'symbol-misc', 'section-icon');
    const name = el('span', 'section-name', kind === 'context' ? 'context' : 'Other fields');
    return [icon, name, el('span', 'section-meta', `object · ${formatBytes(utf8ByteLength(json))}`)];
  }

  /** Whether the output is big and not loaded yet. */
  get isPending(): boolean {
    return this.json === undefined;
  }

  /** A big output arrived from the host. */
  /** Whether an `output` reply answers this section's request. */
  awaits(requestId: number, nodeId: string): boolean {
    return this.request === requestId && this.source.key === nodeId;
  }

  provideOutput(json: string): void {
    this.json = json;
    this.parsed = undefined;
    this.folded = undefined;
    this.viewer = undefined;
    if (this.expanded && this.built) this.fillBody();
  }

  /** The JSON text (undefined for a big output not loaded yet). */
  get text(): string | undefined {
    return this.json;
  }

  /** Whether there is a JSON value the filter can look into. */
  get hasText(): boolean {
    return this.hasValue && this.json !== undefined;
  }

  private parse(): { readonly value: JsonValue } | { readonly error: string } {
    if (!this.parsed) {
      try {
        this.parsed = { value: parseJson(this.json ?? 'null') };
      } catch (error) {
        this.parsed = { error: error instanceof JsonSyntaxError ? error.message : String(error) };
      }
    }
    return this.parsed;
  }

  /** Whether the section belongs in the list under this filter (node id, keys or values). */
  matches(query: Query | undefined): boolean {
    if (!query) return true;
    if (this.source.kind === 'node' && query.test(this.source.key)) return true;
    // A big output not loaded yet is matched by its node id only.
    if (!this.hasValue || this.json === undefined) return false;
    this.folded ??= fold(this.json);
    if (!query.mayMatchJson(this.folded)) return false;
    const parsed = this.parse();
    return 'value' in parsed && query.valueMatches(parsed.value);
  }

  /** A new filter: the viewer is rebuilt now if open, else when next opened. */
  setQuery(query: Query | undefined): void {
    if (query?.needle === this.query?.needle) return;
    this.query = query;
    this.viewer = undefined;
    if (this.expanded && this.built) this.fillBody();
  }

  /** Viewers built until the next call share this auto-expansion budget (one filter pass). */
  shareBudget(budget: { rows: number } | undefined): void {
    this.budget = budget;
  }

  setExpanded(expanded: boolean): void {
    if (expanded === this.expanded) return;
    this.expanded = expanded;
    const built = this.built;
    if (!built) return;
    built.toggle.setAttribute('aria-expanded', String(expanded));
    built.element.classList.toggle('expanded', expanded);
    built.body.hidden = !expanded;
    // A closed section keeps its viewer (and its open rows) but not its DOM.
    if (expanded) this.fillBody();
    else built.body.replaceChildren();
  }

  focusHeader(): void {
    this.built?.toggle.focus({ preventScroll: true });
  }

  /** Whether this element is the section's header button. */
  isHeader(target: EventTarget | null): boolean {
    return this.built !== undefined && target === this.built.toggle;
  }

  private fillBody(): void {
    if (!this.built) return;
    const body = this.built.body;
    const { node } = this.source;
    if (node && node.outputType === 'none') {
      body.replaceChildren(el('p', 'section-note', 'No output recorded for this node.'));
      return;
    }
    if (this.json === undefined) {
      const note = el('p', 'section-note');
      note.append(codicon('loading', 'codicon-modifier-spin'), el('span', undefined, ` Loading ${formatBytes(node?.outputBytes ?? 0)} of output…`));
      body.replaceChildren(note);
      if (this.request === undefined) {
        this.request = nextRequestId++;
        this.host.post({ type: 'loadOutput', requestId: this.request, nodeId: this.source.key });

      }
      return;
    }
    if (node?.status === 'skipped' && this.json.trim() === 'null') {
      body.replaceChildren(el('p', 'section-note', 'skipped (no output)'));
      return;
    }
    const parsed = this.parse();
    if ('error' in parsed) {
      const note = el('p', 'section-note error');
      note.append(codicon('error'), el('span', undefined, `This value could not be read: ${displayText(parsed.error)}`));
      body.replaceChildren(note);
      return;
    }
    if (!this.viewer) {
      this.viewer = new JsonViewer({
        value: parsed.value,
        rootPath: this.source.rootPath,
        label: this.describe(),
        bracketTopLevel: this.source.bracketTopLevel,
        query: this.query,
        autoDepth: this.json.length < SMALL_OUTPUT ? 3 : 1,
        budget: this.budget,
        post: this.host.post,
        notify: this.host.notify,
        ...(this.host.runId !== undefined ? { runId: this.host.runId } : {}),
      });
    }
    body.replaceChildren(this.viewer.element);
  }
}
