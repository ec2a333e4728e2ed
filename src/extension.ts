import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('a3sFlow.history.refresh', () => undefined));
}

export function deactivate(): void {}
