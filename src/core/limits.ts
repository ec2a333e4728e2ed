/** Sizes and defaults every layer agrees on, in one place. */

/** The store folder under a workspace folder. */
export const DEFAULT_STORE_DIRECTORY = '.a3s/flow/executions';
/** Big enough for any real run; small enough that a 600 MB file is refused, not loaded. */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
/**
 * Runs at least this big are scanned in the scan thread (detail panel, tree figures): below
 * it a thread round trip costs more than it saves.
 */
export const BIG_RUN_BYTES = 512 * 1024;
