/**
 * The API `activate` returns, for flow-runner extensions and tests:
 *
 *   const api = vscode.extensions.getExtension<FlowHistoryApi>('a3s.flow-history')?.exports;
 *   await api?.save(resultJsonText);               // into this session's memory store
 *   await api?.save(result, workspaceFolder);       // into the folder's .a3s/flow/executions
 *   api?.onDidChangeHistory((e) => ...);
 */
import * as vscode from 'vscode';
import { Event } from './core/events';
import { ExecutionStore, requireExecutionId, StoreChange } from './core/executionStore';
import { FlowResult, parseFlowResult } from './core/flowResult';
import { HistoryStores } from './stores/historyStores';

export interface HistoryChangeEvent extends StoreChange {
  /** The key of the store: the workspace folder's URI string, or `memory` for the memory store. */
  readonly storeKey: string;
}

export interface FlowHistoryApi {
  readonly apiVersion: 1;
  /** The folder store of a workspace folder (undefined when the folder is not open). */
  storeFor(folder: vscode.WorkspaceFolder | vscode.Uri): ExecutionStore | undefined;
  /** Runs handed to the extension in this session (lost on reload, like a3s_flow's MemoryExecutionStore). */
  readonly memoryStore: ExecutionStore;
  /**
   * Validates and saves a result (a FlowResult, or its serde JSON text) into the memory
   * store, or into a workspace folder's store. Returns the normalised execution id.
   * Throws FlowResultError when the text is not a valid FlowResult.
   */
  save(result: FlowResult | string, target?: vscode.WorkspaceFolder): Promise<string>;
  /** Parses serde JSON text into a FlowResult (exact numbers). */
  parse(text: string): FlowResult;
  /** Fires when runs change in any store, whoever changed them. */
  readonly onDidChangeHistory: Event<HistoryChangeEvent>;
}

export function createApi(stores: HistoryStores): FlowHistoryApi {
  const storeFor = (folder: vscode.WorkspaceFolder | vscode.Uri) => stores.forFolder(folder)?.store;
  return {
    apiVersion: 1,
    storeFor,
    memoryStore: stores.memory,
    async save(result, target) {
      if (target && !vscode.workspace.isTrusted) throw new Error('Saving runs into a workspace folder is not available in Restricted Mode.');
      const parsed = typeof result === 'string' ? parseFlowResult(result) : result;
      const store = target ? storeFor(target) : stores.memory;
      if (!store) throw new Error(`${target?.name ?? 'That folder'} is not an open workspace folder.`);
      await store.save(parsed);
      return requireExecutionId(parsed.executionId);
    },
    parse: parseFlowResult,
    onDidChangeHistory: (listener) => stores.onDidChangeRuns(({ handle, change }) => listener({ ...change, storeKey: handle.key })),
  };
}
