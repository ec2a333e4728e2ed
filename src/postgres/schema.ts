/**
 * The PostgreSQL schema of a shared run history: one table (`flow_executions` unless
 * configured) holding serde's JSON text exactly (`json`, never `jsonb`), summary columns the
 * server computes from it so a listing never transfers a run body, an index for keyset
 * paging, and a NOTIFY trigger for live updates. Every statement is idempotent
 * (`IF NOT EXISTS`, `CREATE OR REPLACE`): applying it twice, or to a table that already has
 * runs (written by a3s_flow's own store, say), is safe. Pure: no driver, no `vscode`.
 */

export const DEFAULT_SCHEMA = 'public';
export const DEFAULT_TABLE = 'flow_executions';
/** The channel the trigger notifies; the payload names the table, the operation and the id. */
export const NOTIFY_CHANNEL = 'flow_history';

export interface TableName {
  readonly schema: string;
  readonly table: string;
}

export class InvalidIdentifierError extends Error {
  constructor(readonly value: string) {
    super(`${JSON.stringify(value.slice(0, 80))} cannot be a schema or table name (1 to 63 bytes of letters, digits, _ or $, not starting with a digit or $)`);
    this.name = 'InvalidIdentifierError';
  }
}

/**
 * Names are limited to what needs no case folding surprises (lowercase or mixed letters,
 * digits, `_`, `$`; at most 63 bytes, PostgreSQL's limit) and are always double-quoted
 * in SQL, so a configured name can never become SQL.
 */
export function checkIdentifier(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(name)) throw new InvalidIdentifierError(String(name));
  return name;
}

/** `"name"`: an identifier as SQL (names are checked first, so there is no quote to double). */
export function quoteIdentifier(name: string): string {
  return `"${checkIdentifier(name).replace(/"/g, '""')}"`;
}

export function tableName(schema = DEFAULT_SCHEMA, table = DEFAULT_TABLE): TableName {
  return { schema: checkIdentifier(schema), table: checkIdentifier(table) };
}

/** `"schema"."table"`. */
export function qualifiedName(name: TableName): string {
  return `${quoteIdentifier(name.schema)}.${quoteIdentifier(name.table)}`;
}

/** A name derived from the table's (for its index, trigger and functions), kept ≤ 63 bytes. */
function derived(name: TableName, suffix: string): string {
  return quoteIdentifier(`${name.table.slice(0, 63 - suffix.length - 1)}_${suffix}`);
}

/** The trigger's name (unquoted), as pg_trigger.tgname holds it. */
export function notifyTriggerName(name: TableName): string {
  return `${name.table.slice(0, 63 - 'notify'.length - 1)}_notify`;
}

export interface SchemaOptions {
  /** Also create the pg_trgm GIN index that makes substring search fast (big, slow to build). */
  readonly searchIndex?: boolean;
}

/**
 * The schema as SQL statements, in order. Applied in one transaction by `applySchema`, and
 * printed by `flow-history schema` for a DBA.
 */
export function schemaStatements(name: TableName, options: SchemaOptions = {}): string[] {
  const schema = quoteIdentifier(name.schema);
  const table = qualifiedName(name);
  const fn = (suffix: string) => `${schema}.${derived(name, suffix)}`;
  const arrayOrEmpty = (field: string) => `CASE WHEN json_typeof(r -> '${field}') = 'array' THEN r -> '${field}' ELSE '[]'::json END`;
  const statements = [
    `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    `CREATE TABLE IF NOT EXISTS ${table} (
  execution_id uuid PRIMARY KEY,
  result json NOT NULL,
  saved_at timestamptz NOT NULL DEFAULT now()
)`,
    // Summary functions: total over any JSON (a record that is not a FlowResult gives NULL,
    // never an error that would refuse the insert), immutable so they can feed generated columns.
    `CREATE OR REPLACE FUNCTION ${fn('node_count')}(r json) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN json_typeof(r) = 'object' THEN (
    SELECT count(DISTINCT node)::integer FROM (
      SELECT json_array_elements(${arrayOrEmpty('completed_nodes')})::text AS node
      UNION ALL
      SELECT json_array_elements(${arrayOrEmpty('skipped_nodes')})::text
    ) nodes) END
$$`,
    `CREATE OR REPLACE FUNCTION ${fn('skipped_count')}(r json) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN json_typeof(r) = 'object' THEN (
    SELECT count(DISTINCT node)::integer FROM (SELECT json_array_elements(${arrayOrEmpty('skipped_nodes')})::text AS node) nodes) END
$$`,
    // Computed by the server on every write, whoever writes (a3s_flow's store only sets the
    // three columns above), so a listing reads these and never a body.
    `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS size_bytes integer GENERATED ALWAYS AS (octet_length(result::text)) STORED`,
    `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS node_count integer GENERATED ALWAYS AS (${fn('node_count')}(result)) STORED`,
    `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS skipped_count integer GENERATED ALWAYS AS (${fn('skipped_count')}(result)) STORED`,
    // Keyset paging, newest first: WHERE (saved_at, execution_id) < ($1, $2) ORDER BY both DESC.
    `CREATE INDEX IF NOT EXISTS ${derived(name, 'saved_at_idx')} ON ${table} (saved_at DESC, execution_id DESC)`,
    `CREATE OR REPLACE FUNCTION ${fn('notify')}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${NOTIFY_CHANNEL}', json_build_object(
    'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME, 'op', TG_OP,
    'id', CASE WHEN TG_OP = 'DELETE' THEN OLD.execution_id ELSE NEW.execution_id END)::text);
  RETURN NULL;
END
$$`,
    `DROP TRIGGER IF EXISTS ${derived(name, 'notify')} ON ${table}`,
    `CREATE TRIGGER ${derived(name, 'notify')} AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn('notify')}()`,
  ];
  if (options.searchIndex) {
    statements.push(
      `CREATE EXTENSION IF NOT EXISTS pg_trgm`,
      `CREATE INDEX IF NOT EXISTS ${derived(name, 'search_idx')} ON ${table} USING gin ((result::text) gin_trgm_ops)`,
    );
  }
  return statements;
}

/** The schema as one script (`flow-history schema`). */
export function schemaScript(name: TableName, options: SchemaOptions = {}): string {
  const header = [
    '-- Flow History: a shared a3s_flow run history in PostgreSQL (13 or later).',
    '-- Idempotent: safe to run again, and on a table that already holds runs.',
    `-- Live updates: LISTEN ${NOTIFY_CHANNEL}; payload {"schema","table","op","id"}.`,
  ];
  return `${header.join('\n')}\nBEGIN;\n${schemaStatements(name, options)
    .map((statement) => `${statement};`)
    .join('\n')}\nCOMMIT;\n`;
}

/** `\`, `%` and `_` escaped for `LIKE … ESCAPE '\'`: the term matches only itself. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}
