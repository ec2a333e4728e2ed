/** Helpers for tests that run inside the VS Code extension host. */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { FlowHistoryExports } from '../../src/extension';

export const EXTENSION_ID = 'a3s.flow-history';

export async function extensionExports(): Promise<FlowHistoryExports> {
  const extension = vscode.extensions.getExtension<FlowHistoryExports>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

export function workspaceFolder(index = 0): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[index];
  if (!folder) throw new Error(`no workspace folder ${index}`);
  return folder;
}

export function storeDir(folder = workspaceFolder()): string {
  return path.join(folder.uri.fsPath, '.a3s', 'flow', 'executions');
}

/** Polls until `check` returns a truthy value (or throws after the timeout). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 8000): Promise<NonNullable<T>> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Replaces a method for one test; returns the calls and a restore function. */
export function stub<T extends object, K extends keyof T>(target: T, key: K, implementation: T[K]): { calls: unknown[][]; restore(): void } {
  const original = target[key];
  const calls: unknown[][] = [];
  const fn = implementation as unknown as (...args: unknown[]) => unknown;
  Object.defineProperty(target, key, {
    configurable: true,
    writable: true,
    value: (...args: unknown[]) => {
      calls.push(args);
      return fn(...args);
    },
  });
  return {
    calls,
    restore: () => Object.defineProperty(target, key, { configurable: true, writable: true, value: original }),
  };
}

/** Writes a run the way the engine does: temp file in the same folder, then rename. */
export function writeRunAtomically(dir: string, id: string, text: string, mtime?: Date): string {
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, `${id}.json`);
  const temp = path.join(dir, `.engine-${id}.tmp`);
  fs.writeFileSync(temp, text);
  if (mtime) fs.utimesSync(temp, mtime, mtime);
  fs.renameSync(temp, target);
  return target;
}

export function runText(id: string, outputs = '{"a":1}', completed = '["a"]', skipped = '[]'): string {
  return `{"execution_id":"${id}","outputs":${outputs},"completed_nodes":${completed},"skipped_nodes":${skipped},"context":{}}`;
}
