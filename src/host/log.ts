/** The "Flow History" log channel and the one-sentence error message habit. */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function initLog(): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel('Flow History', { log: true });
  return channel;
}

export function log(): vscode.LogOutputChannel {
  if (!channel) channel = initLog();
  return channel;
}

/** Shows one short sentence to the user and puts the details in the log. */
export function reportError(message: string, error?: unknown): void {
  if (error !== undefined) log().error(message, error instanceof Error ? (error.stack ?? error.message) : String(error));
  else log().error(message);
  void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
    if (choice === 'Show Log') log().show(true);
  });
}
