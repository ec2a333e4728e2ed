/** Plain model objects behind the tree's rows; mapped to TreeItems in treeItems.ts. */
import { NodeStatus } from '../core/summary';

export interface StoreNode {
  readonly kind: 'store';
  readonly storeKey: string;
}
export interface RunNode {
  readonly kind: 'run';
  readonly storeKey: string;
  readonly id: string;
}
export interface MoreNode {
  readonly kind: 'more';
  readonly storeKey: string;
  /** Set for the next page of a run's nodes (else: the next page of a store's runs). */
  readonly runId?: string;
  /** A run's nodes not shown yet. */
  readonly remaining?: number;
}
/** A node of a run's flow (one of its steps), under the run's row. */
export interface FlowStepNode {
  readonly kind: 'node';
  readonly storeKey: string;
  readonly runId: string;
  readonly nodeId: string;
  readonly status: NodeStatus;
  readonly preview: string;
}
export interface ContextNode {
  readonly kind: 'context';
  readonly storeKey: string;
  readonly runId: string;
  readonly preview: string;
  readonly keys: number;
}
export interface MessageNode {
  readonly kind: 'message';
  readonly storeKey: string;
  readonly text: string;
  readonly detail?: string;
}

/** "Retry" under a group whose listing failed (a database that is down). */
export interface RetryNode {
  readonly kind: 'retry';
  readonly storeKey: string;
  /** When the next automatic attempt is due (ms since epoch), if one is scheduled. */
  readonly nextAttempt?: number;
}

export type HistoryNode = StoreNode | RunNode | MoreNode | FlowStepNode | ContextNode | MessageNode | RetryNode;
