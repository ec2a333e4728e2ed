/** A run anywhere: the store it is in and its execution id. What the tree, panel, documents and commands pass around. */

export interface RunRef {
  /** The key of the run's store (see StoreHandle.key). */
  readonly storeKey: string;
  readonly id: string;
}

/** A RunRef, or a tree row of a run (which carries `kind: 'run'`). */
export function isRunRef(value: unknown): value is RunRef {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.storeKey === 'string' && typeof v.id === 'string' && (v.kind === undefined || v.kind === 'run');
}

/** One string per run, for maps and sets. */
export function runKey(ref: RunRef): string {
  return `${ref.storeKey}\n${ref.id}`;
}
