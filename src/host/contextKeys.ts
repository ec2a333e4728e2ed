/** The context keys this extension sets for `when` clauses, typed: one place names them. */
import * as vscode from 'vscode';

interface ContextKeys {
  /** The tree shows only the runs matching a search (Clear Search is offered). */
  'a3sFlow.history.filtered': boolean;
}

export function setContextKey<K extends keyof ContextKeys>(key: K, value: ContextKeys[K]): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
