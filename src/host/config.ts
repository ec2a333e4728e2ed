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
