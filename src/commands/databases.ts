/**
 * "Connect to Database…", "Forget Database Password" and "Remove Database": a PostgreSQL
 * history added from the editor. The password goes to VS Code's SecretStorage (under a key
 * made from the database's name and URL), {name, url} to the user settings; the connection
 * is tried first and nothing is saved when it fails. A password never reaches the settings,
 * the log or a message: the URL may not hold one, and error texts are scrubbed of it.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { SECTION } from '../host/config';
import { log } from '../host/log';
import { PostgresExecutionStore, redactUrl } from '../postgres/postgresStore';
import { databaseSecretKey } from '../stores/databaseStoreHandle';
import { CommandContext } from './commandContext';

const SETTING = 'databases';

interface DatabaseEntry {
  name: string;
  url: string;
}

/** Why a URL typed into "Connect to Database…" is refused, or undefined when it is usable. */
export function checkDatabaseUrl(text: string): string | undefined {
  const url = text.trim();
  if (!/^postgres(ql)?:\/\//i.test(url)) return 'Enter a postgres:// URL, e.g. postgres://user@host:5432/database?sslmode=require';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'This URL cannot be read: postgres://user@host:5432/database?sslmode=require';
  }
  if (parsed.password !== '') return 'Leave the password out of the URL: it is asked for next and kept in VS Code\'s secret storage, never in the settings.';
  if (!parsed.hostname) return 'The URL needs a host: postgres://user@host:5432/database';
  return undefined;
}

/** The text with every occurrence of the secret replaced (a server's error may echo what it was sent). */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let out = text.split(secret).join('••••');
  // Also as it would appear inside a URL.
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) out = out.split(encoded).join('••••');
  return out;
}

function userEntries(): DatabaseEntry[] {
  const value = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(SETTING)?.globalValue;
  return Array.isArray(value) ? (value.filter((e) => e && typeof e === 'object') as DatabaseEntry[]) : [];
}

/** Returns the name of the database added, or undefined when cancelled or refused. */
export async function connectDatabaseCommand(ctx: CommandContext): Promise<string | undefined> {
  const taken = new Set(userEntries().map((e) => e.name));
  const name = (
    await vscode.window.showInputBox({
      title: 'Connect to Database (1/3): name',
      prompt: 'The name of the database\'s group in the Flow History tree',
      placeHolder: 'e.g. team',
      ignoreFocusOut: true,
      validateInput: (t) => (t.trim() === '' ? 'Enter a name' : t.trim().length > 100 ? 'Use at most 100 characters' : undefined),
    })
  )?.trim();
  if (!name) return undefined;
  const url = (
    await vscode.window.showInputBox({
      title: `Connect to Database (2/3): URL of "${name}"`,
      prompt: 'postgres://user@host:port/database?sslmode=… (no password: it is asked for next)',
      placeHolder: 'postgres://user@host:5432/database?sslmode=require',
      ignoreFocusOut: true,
      validateInput: checkDatabaseUrl,
    })
  )?.trim();
  if (!url) return undefined;
  // The input box's validation can be bypassed (a stubbed or scripted input): check again.
  const problem = checkDatabaseUrl(url);
  if (problem) {
    void vscode.window.showErrorMessage(`Flow History: ${problem} Nothing was saved.`);
    return undefined;
  }
  const password = await vscode.window.showInputBox({
    title: `Connect to Database (3/3): password for ${redactUrl(url)}`,
    prompt: 'Kept in VS Code\'s secret storage. Leave empty to use PGPASSWORD or ~/.pgpass (or no password).',
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) return undefined;

  const failure = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Connecting to ${redactUrl(url)}…` }, () => tryConnection(url, password));
  if (failure !== undefined) {
    const message = `Could not connect to the database "${name}": ${scrubSecret(failure, password)} Nothing was saved.`;
    log().warn(message);
    void vscode.window.showErrorMessage(`Flow History: ${message}`);
    return undefined;
  }
  const key = databaseSecretKey(name, url);
  if (password) await ctx.secrets.store(key, password);
  else await ctx.secrets.delete(key);
  const previous = userEntries().find((e) => e.name === name);
  if (previous && previous.url !== url) await ctx.secrets.delete(databaseSecretKey(name, previous.url));
  const entries = [...userEntries().filter((e) => e.name !== name), { name, url }];
  await vscode.workspace.getConfiguration(SECTION).update(SETTING, entries, vscode.ConfigurationTarget.Global);
  log().info(`Connected to the database "${name}" (${redactUrl(url)})${password ? '; its password is in VS Code\'s secret storage' : ''}`);
  void vscode.window.showInformationMessage(`Flow History: ${taken.has(name) ? 'updated' : 'added'} the database "${name}".`);
  return name;
}

/** Lists one run to prove the URL, the password and the table work; the reason when not. */
async function tryConnection(url: string, password: string): Promise<string | undefined> {
  let store: PostgresExecutionStore | undefined;
  try {
    store = new PostgresExecutionStore({ url, password: password || undefined, maxConnections: 1, connectTimeoutMs: 10_000 });
    await store.listPage({ limit: 1 });
    return undefined;
  } catch (error) {
    const text = errorMessage(error);
    return /[.!?]$/.test(text) ? text : `${text}.`;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

/** The database group a command was invoked on, or one picked. */
async function databaseFor(ctx: CommandContext, arg: unknown, title: string): Promise<{ key: string; name: string; url: string } | undefined> {
  const node = arg as { kind?: unknown; storeKey?: unknown } | undefined;
  if (node && typeof node.storeKey === 'string') {
    const setting = ctx.stores.databaseSetting(node.storeKey);
    if (setting) return { key: node.storeKey, ...setting };
  }
  const picks = ctx.stores.databases().map((h) => ({ label: h.label, description: h.presentation.where, key: h.key }));
  if (picks.length === 0) {
    void vscode.window.showInformationMessage('Flow History has no databases. Add one with "Flow History: Connect to Database…".');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(picks, { title });
  const setting = picked && ctx.stores.databaseSetting(picked.key);
  return picked && setting ? { key: picked.key, ...setting } : undefined;
}

export async function forgetDatabasePasswordCommand(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const database = await databaseFor(ctx, arg, 'Forget the Password of…');
  if (!database) return false;
  await ctx.secrets.delete(databaseSecretKey(database.name, database.url));
  log().info(`Forgot the saved password of the database "${database.name}"`);
  void vscode.window.showInformationMessage(`Flow History: forgot the saved password of "${database.name}". New connections use PGPASSWORD or ~/.pgpass.`);
  return true;
}

export async function removeDatabaseCommand(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const database = await databaseFor(ctx, arg, 'Remove Database…');
  if (!database) return false;
  const accept = 'Remove';
  const choice = await vscode.window.showWarningMessage(
    `Remove the database "${database.name}" from Flow History?`,
    { modal: true, detail: `Its runs stay in ${redactUrl(database.url)}; the setting entry and the saved password are removed.` },
    accept,
  );
  if (choice !== accept) return false;
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<unknown>(SETTING);
  const levels: [unknown, vscode.ConfigurationTarget][] = [
    [inspected?.globalValue, vscode.ConfigurationTarget.Global],
    [inspected?.workspaceValue, vscode.ConfigurationTarget.Workspace],
  ];
  try {
    for (const [value, target] of levels) {
      if (!Array.isArray(value)) continue;
      const kept = value.filter((e: { name?: unknown } | null) => !(e && typeof e.name === 'string' && e.name.trim() === database.name));
      if (kept.length !== value.length) await config.update(SETTING, kept.length > 0 ? kept : undefined, target);
    }
  } finally {
    await ctx.secrets.delete(databaseSecretKey(database.name, database.url));
  }
  log().info(`Removed the database "${database.name}" from the settings`);
  return true;
}
