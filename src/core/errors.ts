/** Error text shared by every layer: one sentence from anything thrown, and the size-limit reason. */
import { formatBytes } from './format';

/** The message of an error, or the text of anything else that was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why a run file over the store's size limit is not read. */
export function tooBigReason(size: number, maxBytes: number): string {
  return `is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} size limit`;
}

/**
 * The caller cancelled the operation (its AbortSignal fired): not a failure to show or log.
 * Stores throw it when a cancelled search stops, so callers tell it from "could not search".
 */
export class OperationCancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'OperationCancelledError';
  }
}
