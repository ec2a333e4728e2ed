/** The extension's settings, read in one place with their types and safe fallbacks. */
import * as vscode from 'vscode';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_STORE_DIRECTORY } from '../core/limits';

export const SECTION = 'a3sFlow.history';

export interface HistoryConfig {
  /** Store folder relative to each workspace folder, as '/'-separated segments. */
  readonly directorySegments: readonly string[];
  readonly directory: string;
  readonly maxFileBytes: number;
  readonly pageSize: number;
  /** Runs a Plot Across Runs reads (the newest). */
  readonly plotRuns: number;
  readonly retentionMaxAgeDays: number | undefined;
  readonly retentionMaxRuns: number | undefined;
  /** Set when the configured directory was refused (and the default used instead). */
  readonly directoryProblem?: string;
}

/** Splits a configured directory; refuses absolute paths and `..` so the store stays inside the folder. */
export function parseStoreDirectory(value: unknown): { segments: string[]; problem?: string } {
  const fallback = DEFAULT_STORE_DIRECTORY.split('/');
  if (typeof value !== 'string' || value.trim() === '') return { segments: fallback };
  const text = value.trim().replace(/\\/g, '/');
  const segments = text.split('/').filter((s) => s !== '' && s !== '.');
  if (/^[a-zA-Z]:/.test(text) || text.startsWith('/') || text.startsWith('~') || segments.includes('..') || segments.length === 0) {
    return {
      segments: fallback,
      problem: `The setting a3sFlow.history.directory (${JSON.stringify(value)}) must be a relative path inside the workspace folder; using ${DEFAULT_STORE_DIRECTORY}.`,
    };
  }
  return { segments };
}

export function readConfig(scope?: vscode.ConfigurationScope): HistoryConfig {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const { segments, problem } = parseStoreDirectory(config.get<string>('directory'));
  const maxMb = positive(config.get<number>('maxFileSizeMB'), DEFAULT_MAX_FILE_BYTES / (1024 * 1024));
  return {
    directorySegments: segments,
    directory: segments.join('/'),
    maxFileBytes: Math.floor(maxMb * 1024 * 1024),
    pageSize: Math.min(5000, Math.max(10, Math.floor(positive(config.get<number>('pageSize'), 200)))),
    plotRuns: Math.min(10_000, Math.max(2, Math.floor(positive(config.get<number>('plotRuns'), 500)))),
    retentionMaxAgeDays: optionalPositive(config.get<number | null>('retention.maxAgeDays')),
    retentionMaxRuns: optionalPositive(config.get<number | null>('retention.maxRuns')),
    directoryProblem: problem,
  };
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function optionalPositive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A PostgreSQL history from `a3sFlow.history.databases`. */
export interface DatabaseSetting {
  readonly name: string;
  readonly url: string;
}

/** The levels of a setting as `inspect()` reports them. */
export interface InspectedSetting<T> {
  readonly globalValue?: T;
  readonly workspaceValue?: T;
  readonly workspaceFolderValue?: T;
}

/**
 * The databases to connect to, and what was refused. User settings always count; workspace
 * (and folder) settings only in a trusted workspace, so a cloned repository in Restricted
 * Mode cannot make the editor connect anywhere. A later level overrides an earlier entry of
 * the same name. Entries without a name or with a non-postgres URL are refused, and so is a
 * URL with a password in it (passwords belong in PGPASSWORD or ~/.pgpass).
 */
export function databasesFrom(inspected: InspectedSetting<unknown> | undefined, trusted: boolean): { databases: DatabaseSetting[]; problems: string[] } {
  const levels: unknown[] = [inspected?.globalValue];
  if (trusted) levels.push(inspected?.workspaceValue, inspected?.workspaceFolderValue);
  const byName = new Map<string, DatabaseSetting>();
  const problems: string[] = [];
  for (const level of levels) {
    if (level === undefined || level === null) continue;
    if (!Array.isArray(level)) {
      problems.push('The setting a3sFlow.history.databases must be a list of { "name", "url" } entries.');
      continue;
    }
    for (const item of level as unknown[]) {
      const entry = item as { name?: unknown; url?: unknown } | null;
      const name = typeof entry?.name === 'string' ? entry.name.trim() : '';
      const url = typeof entry?.url === 'string' ? entry.url.trim() : '';
      if (!name || !/^postgres(ql)?:\/\//i.test(url)) {
        problems.push(`A database in a3sFlow.history.databases needs a name and a postgres:// URL; ignored: ${JSON.stringify(name || '(no name)')}.`);
        continue;
      }
      let hasPassword = false;
      try {
        hasPassword = new URL(url).password !== '';
      } catch {
        problems.push(`The database "${name}" in a3sFlow.history.databases has a URL that cannot be read; ignored.`);
        continue;
      }
      if (hasPassword) {
        problems.push(`The database "${name}" in a3sFlow.history.databases has a password in its URL; ignored. Give the password through PGPASSWORD or ~/.pgpass instead.`);
        continue;
      }
      byName.set(name, { name, url });
    }
  }
  return { databases: [...byName.values()], problems };
}

export function readDatabases(): { databases: DatabaseSetting[]; problems: string[] } {
  return databasesFrom(vscode.workspace.getConfiguration(SECTION).inspect<unknown>('databases'), vscode.workspace.isTrusted);
}
