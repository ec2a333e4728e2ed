/**
 * The node list, windowed: only the sections on screen (plus a screen's worth above and
 * below) are in the DOM, between spacers that keep the page's scroll height, so a run with
 * 20,000 nodes costs the page about as much as one with 20. Heights are measured as sections
 * come on screen and estimated for the rest. The section that has the focus stays in the
 * DOM while it is scrolled away, and the arrow keys, Home and End move between the headers
 * of all the nodes shown, not only those in the DOM.
 */
import { el } from './dom';
import { RowLayout } from './nodeIndex';
import { Section } from './section';

/** Pixels kept in the DOM above and below the viewport. */
const OVERSCAN_PX = 800;
/** Never more sections than this in the DOM at once (tiny rows, huge screens). */
const MAX_MOUNTED = 150;
/** Space between two sections (their margin-bottom in detail.css). */
const GAP_PX = 6;
/** A closed section's height until one is measured. */
const ESTIMATE_PX = 34;
/** The sticky toolbar's height: a section scrolled to the top goes below it. */
const TOP_MARGIN_PX = 56;

export class NodeList {
  readonly element = el('div', 'section-list');
  private readonly layout: RowLayout;
  private readonly mounted = new Map<number, Section>();
  private readonly nodeOfElement = new WeakMap<Element, number>();
  private readonly resizeObserver: ResizeObserver;
  /** Node index of the section holding the focus. */
  private focused: number | undefined;
  private frame: number | undefined;
  private disposed = false;
  /** Whether the estimate for unmeasured rows was taken from a closed section yet. */
  private measuredEstimate = false;

  constructor(private readonly sections: readonly Section[]) {
    this.layout = new RowLayout(sections.length, ESTIMATE_PX + GAP_PX);
    this.element.setAttribute('role', 'list');
    this.element.setAttribute('aria-label', 'Nodes');
    this.resizeObserver = new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const node = this.nodeOfElement.get(entry.target);
        if (node === undefined || !this.mounted.has(node)) continue;
        const height = (entry.target as HTMLElement).offsetHeight;
        if (height === 0 && !(entry.target as HTMLElement).isConnected) continue;
        if (!this.measuredEstimate && !this.sections[node].isExpanded && height > 0) {
          this.measuredEstimate = true;
          changed = this.layout.setEstimate(height + GAP_PX) || changed;
        }
        changed = this.layout.setHeight(node, height + GAP_PX) || changed;
      }
      if (changed) this.schedule();
    });
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.element.addEventListener('focusin', (event) => {
      const node = this.nodeOf(event.target);
      if (node !== undefined) this.focused = node;
    });
    this.element.addEventListener('focusout', (event) => {
      const next = event.relatedTarget;
      if (!(next instanceof Node) || !this.element.contains(next)) {
        // Focus left the list (not just moved inside it).
        window.setTimeout(() => {
          if (!this.element.contains(document.activeElement)) this.focused = undefined;
        });
      }
    });
    window.addEventListener('scroll', this.onScroll, { passive: true });
    window.addEventListener('resize', this.onScroll);
  }

  /** More sections were added to the list's array (a wide run's later nodes); `setOrder` shows them. */
  grow(): void {
    this.layout.grow(this.sections.length);
  }

  /** The node indices shown (all, or a filter's matches), in order. */
  setOrder(order: readonly number[]): void {
    this.layout.setOrder(order);
    if (this.focused !== undefined && this.layout.positionOf(this.focused) < 0) this.focused = undefined;
    this.update();
  }

  get shownCount(): number {
    return this.layout.length;
  }

  /** A section's height may change without a resize being observed yet (opened, closed). */
  schedule(): void {
    if (this.frame !== undefined || this.disposed) return;
    this.frame = window.requestAnimationFrame(() => {
      this.frame = undefined;
      this.update();
    });
  }

  private readonly onScroll = (): void => this.schedule();

  /** Puts the sections the viewport needs in the DOM, and only them. */
  update(): void {
    if (this.disposed) return;
    const top = -this.element.getBoundingClientRect().top;
    const { start, end } = this.layout.range(top, top + window.innerHeight, OVERSCAN_PX, MAX_MOUNTED);
    const positions: number[] = [];
    const focusedPosition = this.focused === undefined ? -1 : this.layout.positionOf(this.focused);
    if (focusedPosition >= 0 && focusedPosition < start) positions.push(focusedPosition);
    for (let p = start; p < end; p++) positions.push(p);
    if (focusedPosition >= end) positions.push(focusedPosition);

    const wanted = new Set(positions.map((p) => this.layout.nodeAt(p)));
    for (const [node, section] of this.mounted) {
      if (wanted.has(node)) continue;
      this.resizeObserver.unobserve(section.element);
      section.element.remove();
      section.release();
      this.mounted.delete(node);
    }
    // Spacers between the runs of sections: replaced each time (they hold no state).
    for (const spacer of [...this.element.querySelectorAll(':scope > .list-spacer')]) spacer.remove();
    let cursor: ChildNode | null = this.element.firstChild;
    let previous = 0;
    const place = (child: HTMLElement): void => {
      if (child === cursor) cursor = cursor.nextSibling;
      else this.element.insertBefore(child, cursor);
    };
    for (const position of positions) {
      if (position > previous) place(spacer(this.layout.heightBetween(previous, position)));
      const node = this.layout.nodeAt(position);
      const section = this.sections[node];
      if (!this.mounted.has(node)) {
        this.mounted.set(node, section);
        this.nodeOfElement.set(section.element, node);
        this.resizeObserver.observe(section.element);
      }
      // Its place among the nodes shown, for assistive technology (set as it is placed).
      section.setPosition(position + 1, this.layout.length);
      place(section.element);
      previous = position + 1;
    }
    if (previous < this.layout.length) place(spacer(this.layout.heightBetween(previous, this.layout.length)));
  }

  /** The node (index) whose section holds this element. */
  private nodeOf(target: EventTarget | null): number | undefined {
    if (!(target instanceof Element)) return undefined;
    const section = target.closest('.section-list > .section');
    return section ? this.nodeOfElement.get(section) : undefined;
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const node = this.nodeOf(event.target);
    if (node === undefined || !this.sections[node].isHeader(event.target)) return;
    const position = this.layout.positionOf(node);
    const last = this.layout.length - 1;
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(last, position + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, position - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = last;
        break;
      default:
        return;
    }
    event.preventDefault();
    this.focusPosition(next, 'nearest');
  }

  /** Brings a node's section on screen (mounting it) and returns it; undefined if not shown. */
  reveal(node: number, block: 'start' | 'nearest'): Section | undefined {
    const position = this.layout.positionOf(node);
    if (position < 0) return undefined;
    const section = this.sections[node];
    if (!this.mounted.has(node)) {
      const listTop = this.element.getBoundingClientRect().top + window.scrollY;
      const y = listTop + this.layout.offsetOf(position);
      const target = block === 'start' || y < window.scrollY ? y - TOP_MARGIN_PX : y + this.layout.heightOf(node) - window.innerHeight;
      window.scrollTo(0, Math.max(0, target));
      this.update();
    }
    section.element.scrollIntoView({ block });
    return section;
  }

  /** Moves the focus to the header of the section at a position, scrolling it into view. */
  focusPosition(position: number, block: 'start' | 'nearest'): void {
    if (position < 0 || position >= this.layout.length) return;
    const node = this.layout.nodeAt(position);
    this.focused = node;
    const section = this.reveal(node, block);
    section?.focusHeader();
  }

  /** Sections in the DOM now (tests and the benchmark). */
  get mountedCount(): number {
    return this.mounted.size;
  }

  dispose(): void {
    this.disposed = true;
    if (this.frame !== undefined) window.cancelAnimationFrame(this.frame);
    this.resizeObserver.disconnect();
    window.removeEventListener('scroll', this.onScroll);
    window.removeEventListener('resize', this.onScroll);
    for (const section of this.mounted.values()) section.release();
    this.mounted.clear();
  }
}

function spacer(height: number): HTMLElement {
  const result = el('div', 'list-spacer');
  result.setAttribute('aria-hidden', 'true');
  result.style.height = `${height}px`;
  return result;
}
