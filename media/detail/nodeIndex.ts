/**
 * The pure part of the windowed node list (no DOM, unit-tested in Node): where each shown
 * node sits given the heights of its rows, which rows a viewport needs, and the filter's
 * precomputed index, which answers most filters over tens of thousands of nodes by plain
 * substring search, without parsing a single output.
 */
import { fold, Query } from './query';

/**
 * Row heights (one per node, measured once shown, else an estimate) and the offsets of the
 * nodes shown, in order: the node list's scroll geometry.
 */
export class RowLayout {
  /** Measured height per node; NaN until measured. */
  private heights: Float64Array;
  private order: Int32Array;
  /** Position of each node in `order`, -1 when not shown. */
  private positions: Int32Array;
  /** offsets[p] = top of position p; offsets[order.length] = total height. Rebuilt when dirty. */
  private offsets: Float64Array | undefined;

  constructor(
    private nodes: number,
    private estimate: number,
  ) {
    this.heights = new Float64Array(nodes).fill(Number.NaN);
    this.order = Int32Array.from({ length: nodes }, (_, i) => i);
    this.positions = Int32Array.from({ length: nodes }, (_, i) => i);
  }

  /** Nodes laid out (shown or not). */
  get count(): number {
    return this.nodes;
  }

  /** Room for `count` nodes (more arrived): the new ones unmeasured and not shown until `setOrder`. */
  grow(count: number): void {
    if (count <= this.nodes) return;
    const heights = new Float64Array(count).fill(Number.NaN);
    heights.set(this.heights);
    const positions = new Int32Array(count).fill(-1);
    positions.set(this.positions);
    this.heights = heights;
    this.positions = positions;
    this.nodes = count;
  }

  /** The nodes shown, as node indices in display order (a filter's result). */
  setOrder(order: ArrayLike<number>): void {
    this.order = Int32Array.from(order);
    this.positions = new Int32Array(this.count).fill(-1);
    this.order.forEach((node, position) => (this.positions[node] = position));
    this.offsets = undefined;
  }

  get length(): number {
    return this.order.length;
  }

  nodeAt(position: number): number {
    return this.order[position];
  }

  /** The node's position among those shown, or -1. */
  positionOf(node: number): number {
    return node >= 0 && node < this.count ? this.positions[node] : -1;
  }

  /** The height used for unmeasured rows; true when it changed the layout. */
  setEstimate(height: number): boolean {
    if (!(height > 0) || height === this.estimate) return false;
    this.estimate = height;
    this.offsets = undefined;
    return true;
  }

  heightOf(node: number): number {
    const h = this.heights[node];
    return Number.isNaN(h) ? this.estimate : h;
  }

  isMeasured(node: number): boolean {
    return !Number.isNaN(this.heights[node]);
  }

  /** Records a measured height; true when it changed the layout. */
  setHeight(node: number, height: number): boolean {
    if (!(height >= 0) || Math.abs(this.heights[node] - height) < 0.5) return false;
    this.heights[node] = height;
    if (this.positions[node] >= 0) this.offsets = undefined;
    return true;
  }

  private layout(): Float64Array {
    if (!this.offsets) {
      const offsets = new Float64Array(this.order.length + 1);
      for (let p = 0; p < this.order.length; p++) offsets[p + 1] = offsets[p] + this.heightOf(this.order[p]);
      this.offsets = offsets;
    }
    return this.offsets;
  }

  get totalHeight(): number {
    return this.layout()[this.order.length];
  }

  /** Top of a position (a position past the end gives the total height). */
  offsetOf(position: number): number {
    const offsets = this.layout();
    return offsets[Math.max(0, Math.min(position, this.order.length))];
  }

  /** The sum of the heights of positions [from, to). */
  heightBetween(from: number, to: number): number {
    return to <= from ? 0 : this.offsetOf(to) - this.offsetOf(from);
  }

  /** The position whose row covers `y` (clamped to the list). */
  positionAt(y: number): number {
    const offsets = this.layout();
    const n = this.order.length;
    if (n === 0) return 0;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (offsets[mid] <= y) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /**
   * Positions [start, end) to have in the DOM for a viewport from `top` to `bottom` (list
   * coordinates), with `overscan` pixels more on each side and never more than `maxRows`.
   */
  range(top: number, bottom: number, overscan: number, maxRows: number): { start: number; end: number } {
    const n = this.order.length;
    if (n === 0 || bottom < 0 || top > this.totalHeight) {
      // Off screen: keep the nearest end mounted so the list never measures empty.
      const start = top > this.totalHeight ? Math.max(0, n - 1) : 0;
      return { start, end: Math.min(n, start + (n ? 1 : 0)) };
    }
    let start = this.positionAt(Math.max(0, top - overscan));
    let end = this.positionAt(bottom + overscan) + 1;
    if (end - start > maxRows) {
      // Centre the rows kept on the viewport itself.
      const first = this.positionAt(Math.max(0, top));
      start = Math.max(0, Math.min(first - (maxRows >> 2), n - maxRows));
      end = Math.min(n, start + maxRows);
    }
    return { start, end };
  }
}

export interface IndexedNode {
  readonly id: string;
  /** Its output's stored JSON text, when there is a value and it is loaded. */
  readonly text: string | undefined;
}

/** Characters that separate JSON tokens: a needle without them can only match inside one. */
const TOKEN_BREAK = /[\s"\\:,{}[\]]/;
/** Characters a JSON string can only hold escaped: a text without escapes holds none. */
// eslint-disable-next-line no-control-regex
const ESCAPED_ONLY = /["\\\u0000-\u001f]/;

/**
 * The filter's index: every node id and output text, case-folded once. A needle that cannot
 * span two JSON tokens, over a text without escapes, matches a node exactly when the folded
 * text contains it (keys, strings, numbers as written, literals are all there verbatim and
 * array indices are not); anything else is left to the exact test (`undefined`).
 */
export class NodeFilterIndex {
  private readonly ids: string[];
  private readonly texts: (string | undefined)[];
  /** Whether a text holds an escape (then only the exact test knows). */
  private readonly escaped: Uint8Array;

  constructor(nodes: readonly IndexedNode[]) {
    this.ids = nodes.map((node) => fold(node.id));
    this.texts = new Array<string | undefined>(nodes.length);
    this.escaped = new Uint8Array(nodes.length);
    nodes.forEach((node, i) => this.setText(i, node.text));
  }

  get length(): number {
    return this.ids.length;
  }

  /** A deferred output arrived (or a node has no value: `undefined`). */
  setText(i: number, text: string | undefined): void {
    this.texts[i] = text === undefined ? undefined : fold(text);
    this.escaped[i] = text !== undefined && text.includes('\\') ? 1 : 0;
  }

  /** Whether the query can be answered from the index for texts without escapes. */
  static isPlain(query: Query): boolean {
    return query.needle.length > 0 && !TOKEN_BREAK.test(query.needle);
  }

  /** Whether the needle holds a character that only an escape can put in a key or value. */
  static needsEscapes(query: Query): boolean {
    return ESCAPED_ONLY.test(query.needle);
  }

  /**
   * true / false when the index decides; undefined when the exact test must (needle or text
   * not plain). A node with no text matches by its id only.
   */
  quickMatch(i: number, query: Query, plain = NodeFilterIndex.isPlain(query), needsEscapes = NodeFilterIndex.needsEscapes(query)): boolean | undefined {
    if (this.ids[i].includes(query.needle)) return true;
    const text = this.texts[i];
    if (text === undefined) return false;
    if (!this.escaped[i]) {
      if (plain) return text.includes(query.needle);
      if (needsEscapes) return false;
    }
    // The cheap negative test of the exact path still applies.
    if (!query.mayMatchJson(text)) return false;
    return undefined;
  }

  /** Node indices matching, in order; `exact` answers the nodes the index cannot. */
  filter(query: Query, exact: (i: number) => boolean): number[] {
    const plain = NodeFilterIndex.isPlain(query);
    const needsEscapes = NodeFilterIndex.needsEscapes(query);
    const result: number[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const quick = this.quickMatch(i, query, plain, needsEscapes);
      if (quick ?? exact(i)) result.push(i);
    }
    return result;
  }
}
