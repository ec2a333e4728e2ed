/**
 * The Run Grid's model: runs as columns (newest first), node ids as rows, a status per cell,
 * the node filters and the time strip. Pure (no `vscode`, no DOM): the host builds the run
 * summaries, the page builds the grid from them.
 */

/** What the grid knows of one run: ids only, never outputs. */
export interface GridRun {
  readonly id: string;
  /** ms since epoch */
  readonly savedAt: number;
  /** The engine's completed node ids, in its order (skipped ones may be listed here too). */
  readonly completed: readonly string[];
  readonly skipped: readonly string[];
  /** Why the run cannot be read; its column is marked so and every cell is `unreadable`. */
  readonly unreadable?: string;
}

export type CellStatus = 'executed' | 'skipped' | 'absent' | 'unreadable';

export interface GridModel {
  /** Newest first. */
  readonly runs: readonly GridRun[];
  /** Every node id of the runs: first-seen order, walking the runs newest first. */
  readonly nodes: readonly string[];
  status(row: number, column: number): CellStatus;
}

export function buildGrid(runs: readonly GridRun[]): GridModel {
  const sorted = [...runs].sort((a, b) => b.savedAt - a.savedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rowOf = new Map<string, number>();
  const nodes: string[] = [];
  const add = (id: string) => {
    if (!rowOf.has(id)) {
      rowOf.set(id, nodes.length);
      nodes.push(id);
    }
  };
  for (const run of sorted) {
    if (run.unreadable !== undefined) continue;
    for (const id of run.completed) add(id);
    for (const id of run.skipped) add(id);
  }
  // One byte per cell: 0 absent, 1 executed, 2 skipped, 3 unreadable.
  const cells = new Uint8Array(nodes.length * sorted.length);
  const columns = sorted.length;
  sorted.forEach((run, column) => {
    if (run.unreadable !== undefined) {
      for (let row = 0; row < nodes.length; row++) cells[row * columns + column] = 3;
      return;
    }
    for (const id of run.completed) cells[rowOf.get(id)! * columns + column] = 1;
    // Skipped wins: executed = completed − skipped.
    for (const id of run.skipped) cells[rowOf.get(id)! * columns + column] = 2;
  });
  const names: readonly CellStatus[] = ['absent', 'executed', 'skipped', 'unreadable'];
  return {
    runs: sorted,
    nodes,
    status: (row, column) => names[cells[row * columns + column]],
  };
}

/**
 * The rows to show, as indexes into `model.nodes`: those whose id contains `filter`
 * (case-insensitive), and with `onlyDiffering` only those whose status is not the same in
 * every readable run.
 */
export function visibleRows(model: GridModel, filter: string, onlyDiffering: boolean): number[] {
  const needle = filter.trim().toLowerCase();
  const readable = model.runs.map((run, column) => (run.unreadable === undefined ? column : -1)).filter((c) => c >= 0);
  const rows: number[] = [];
  for (let row = 0; row < model.nodes.length; row++) {
    if (needle && !model.nodes[row].toLowerCase().includes(needle)) continue;
    if (onlyDiffering && !differs(model, row, readable)) continue;
    rows.push(row);
  }
  return rows;
}

function differs(model: GridModel, row: number, readable: readonly number[]): boolean {
  if (readable.length < 2) return false;
  const first = model.status(row, readable[0]);
  for (let i = 1; i < readable.length; i++) if (model.status(row, readable[i]) !== first) return true;
  return false;
}

export type BucketUnit = 'hour' | 'day';

export interface TimeBucket {
  /** Start of the bucket (UTC), ms since epoch. */
  readonly start: number;
  readonly unit: BucketUnit;
  /** Readable runs in which no node was skipped. */
  readonly allExecuted: number;
  /** Readable runs with at least one skipped node. */
  readonly someSkipped: number;
  readonly unreadable: number;
  /** Column of the newest run of the bucket (the grid is newest first); -1 when empty. */
  readonly firstColumn: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Hours while the runs span up to this; days beyond. */
const HOURLY_SPAN = 48 * HOUR;
/** More buckets than this between the oldest and newest run: only the non-empty ones. */
const MAX_CONTIGUOUS = 400;

/**
 * Runs over time, oldest bucket first: per hour when the runs span two days or less, else
 * per day; empty buckets between runs are kept (a gap is information) unless there would be
 * more than MAX_CONTIGUOUS of them.
 */
export function timeBuckets(model: GridModel): TimeBucket[] {
  const runs = model.runs;
  if (runs.length === 0) return [];
  const newest = runs[0].savedAt;
  const oldest = runs[runs.length - 1].savedAt;
  const unit: BucketUnit = newest - oldest <= HOURLY_SPAN ? 'hour' : 'day';
  const size = unit === 'hour' ? HOUR : DAY;
  const floor = (t: number) => Math.floor(t / size) * size;
  const counts = new Map<number, { allExecuted: number; someSkipped: number; unreadable: number; firstColumn: number }>();
  runs.forEach((run, column) => {
    const start = floor(run.savedAt);
    let bucket = counts.get(start);
    if (!bucket) counts.set(start, (bucket = { allExecuted: 0, someSkipped: 0, unreadable: 0, firstColumn: column }));
    if (run.unreadable !== undefined) bucket.unreadable++;
    else if (run.skipped.length > 0) bucket.someSkipped++;
    else bucket.allExecuted++;
  });
  const first = floor(oldest);
  const last = floor(newest);
  const starts = (last - first) / size + 1 <= MAX_CONTIGUOUS ? Array.from({ length: (last - first) / size + 1 }, (_, i) => first + i * size) : [...counts.keys()].sort((a, b) => a - b);
  return starts.map((start) => ({ start, unit, ...(counts.get(start) ?? { allExecuted: 0, someSkipped: 0, unreadable: 0, firstColumn: -1 }) }));
}

/** "2026-12-01 14:00 UTC" (hour) or "2026-12-01" (day). */
export function bucketLabel(bucket: Pick<TimeBucket, 'start' | 'unit'>): string {
  const iso = new Date(bucket.start).toISOString();
  return bucket.unit === 'hour' ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso.slice(0, 10);
}

const STATUS_TEXT: Record<CellStatus, string> = { executed: 'executed', skipped: 'skipped', absent: 'not in this run', unreadable: 'run unreadable' };

/** A cell's accessible name: "notify in run 8b744f43, 5 min ago: skipped". */
export function cellLabel(node: string, run: Pick<GridRun, 'id'>, when: string, status: CellStatus): string {
  return `${node} in run ${run.id.slice(0, 8)}, ${when}: ${STATUS_TEXT[status]}`;
}

/** The DOM never holds more cells than this, however many runs and nodes. */
export const MAX_WINDOW_CELLS = 5000;

export interface GridWindow {
  /** Positions in the visible rows / columns: [first, end). */
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly columnStart: number;
  readonly columnEnd: number;
}

/**
 * Which rows and columns to draw for a scroll position: those in view plus `overscan` on
 * each side, cut so rows × columns stays within `budget` (the overscan goes first).
 */
export function gridWindow(
  view: { readonly scrollTop: number; readonly scrollLeft: number; readonly height: number; readonly width: number },
  cell: { readonly width: number; readonly height: number },
  counts: { readonly rows: number; readonly columns: number },
  overscan = 4,
  budget = MAX_WINDOW_CELLS,
): GridWindow {
  const span = (scroll: number, extent: number, size: number, total: number, extra: number) => {
    const first = Math.max(0, Math.min(total, Math.floor(Math.max(0, scroll) / size)));
    const shown = Math.ceil(Math.max(0, extent) / size) + 1;
    return [Math.max(0, first - extra), Math.min(total, first + shown + extra)] as const;
  };
  let extra = overscan;
  for (;;) {
    const [rowStart, rowEnd] = span(view.scrollTop, view.height, cell.height, counts.rows, extra);
    const [columnStart, columnEnd] = span(view.scrollLeft, view.width, cell.width, counts.columns, extra);
    if ((rowEnd - rowStart) * (columnEnd - columnStart) <= budget) return { rowStart, rowEnd, columnStart, columnEnd };
    if (extra > 0) {
      extra = 0;
      continue;
    }
    // A huge viewport: fewer rows, as many as fit with these columns.
    const columns = Math.max(1, columnEnd - columnStart);
    const rows = Math.max(1, Math.floor(budget / columns));
    return { rowStart, rowEnd: Math.min(rowEnd, rowStart + rows), columnStart, columnEnd: columnStart + Math.min(columns, budget) };
  }
}
