/**
 * A catalogue of broken run files, each with the exact reason the store must give for it.
 * Shared by the unit suite (Node port) and the integration suite (vscode.workspace.fs port,
 * tree rows), so both sides are held to the same words.
 */

export interface BadFile {
  /** What is wrong, for test names and reports. */
  readonly name: string;
  /** File bytes for a run stored under `id`. */
  bytes(id: string): Buffer;
  /** The reason the store must give, exactly, or a pattern when it holds a generated id. */
  reason(id: string): string | RegExp;
}

const DEEP = 100_000;

function valid(id: string, outputs = '{"fetch":{"status":200}}'): string {
  return `{"execution_id":"${id}","outputs":${outputs},"completed_nodes":["fetch"],"skipped_nodes":[],"context":{"tenant":"acme"}}`;
}

const nodeIdPrefix = (id: string) => `{"execution_id":"${id}","outputs":{},"completed_nodes":["fe`;
const outputPrefix = (id: string) => `{"execution_id":"${id}","outputs":{"a":"`;

const text =
  (make: (id: string) => string) =>
  (id: string): Buffer =>
    Buffer.from(make(id), 'utf8');

export const OTHER_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

export const badFiles: readonly BadFile[] = [
  { name: 'empty (0 bytes)', bytes: () => Buffer.alloc(0), reason: () => 'is empty (0 bytes): possibly still being written' },
  { name: 'whitespace only', bytes: () => Buffer.from(' \n\t\r\n'), reason: () => 'Invalid JSON: EOF while parsing a value at line 3 column 0' },
  {
    name: 'truncated in the middle of a string',
    bytes: text((id) => valid(id).slice(0, 30)),
    reason: () => 'Invalid JSON: EOF while parsing a string at line 1 column 30',
  },
  {
    name: 'truncated before the closing brace',
    bytes: text((id) => valid(id).slice(0, -1)),
    reason: (id) => `Invalid JSON: EOF while parsing an object at line 1 column ${valid(id).length - 1}`,
  },
  {
    name: 'invalid UTF-8 in a node id',
    bytes: (id) => Buffer.concat([Buffer.from(nodeIdPrefix(id)), Buffer.from([0xff, 0xfe]), Buffer.from('tch"],"skipped_nodes":[]}')]),
    reason: (id) => `Invalid UTF-8 at byte ${nodeIdPrefix(id).length}`,
  },
  {
    name: 'invalid UTF-8: an encoded surrogate (CESU-8)',
    bytes: (id) => Buffer.concat([Buffer.from(outputPrefix(id)), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"},"completed_nodes":[],"skipped_nodes":[]}')]),
    reason: (id) => `Invalid UTF-8 at byte ${outputPrefix(id).length}`,
  },
  {
    name: 'UTF-8 byte order mark',
    bytes: (id) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid(id))]),
    reason: () => 'starts with a UTF-8 byte order mark, which serde_json does not accept (Invalid JSON: expected value at line 1 column 1)',
  },
  {
    name: 'UTF-16 file',
    bytes: (id) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid(id), 'utf16le')]),
    reason: () => 'Invalid UTF-8 at byte 0',
  },
  {
    name: 'outputs is a list',
    bytes: text((id) => `{"execution_id":"${id}","outputs":[],"completed_nodes":[],"skipped_nodes":[]}`),
    reason: () => 'outputs: invalid type: sequence, expected a map',
  },
  {
    name: 'completed_nodes is a string',
    bytes: text((id) => `{"execution_id":"${id}","outputs":{},"completed_nodes":"fetch","skipped_nodes":[]}`),
    reason: () => 'completed_nodes: invalid type: string "fetch", expected a sequence',
  },
  {
    name: 'a skipped node is a number',
    bytes: text((id) => `{"execution_id":"${id}","outputs":{},"completed_nodes":[],"skipped_nodes":["a",18446744073709551615]}`),
    reason: () => 'skipped_nodes[1]: invalid type: number `18446744073709551615`, expected a string',
  },
  {
    name: 'context is a string',
    bytes: text((id) => `{"execution_id":"${id}","outputs":{},"completed_nodes":[],"skipped_nodes":[],"context":"acme"}`),
    reason: () => 'context: invalid type: string "acme", expected a map',
  },
  {
    name: 'execution_id is a number',
    bytes: text(() => '{"execution_id":42,"outputs":{},"completed_nodes":[],"skipped_nodes":[]}'),
    reason: () => 'execution_id: invalid type: integer `42`, expected a UUID string',
  },
  {
    name: 'execution_id is not a UUID',
    bytes: text(() => '{"execution_id":"../../etc/passwd","outputs":{},"completed_nodes":[],"skipped_nodes":[]}'),
    reason: () => 'execution_id: "../../etc/passwd" is not a UUID (expected 32 hex digits, hyphenated, braced or urn:uuid: form)',
  },
  {
    name: 'missing field',
    bytes: text((id) => `{"execution_id":"${id}","outputs":{},"completed_nodes":[]}`),
    reason: () => 'missing field `skipped_nodes`',
  },
  {
    name: 'duplicate field',
    bytes: text((id) => `{"execution_id":"${id}","outputs":{},"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`),
    reason: () => 'duplicate field `outputs`',
  },
  {
    name: 'the root is a string',
    bytes: text(() => '"a run"'),
    reason: () => 'invalid type: string "a run", expected struct FlowResult',
  },
  {
    name: 'execution_id of another run',
    bytes: text(() => valid(OTHER_ID)),
    reason: (id) => `execution_id ${OTHER_ID} does not match the file name ${id}.json`,
  },
  {
    name: 'nesting 100,000 deep in an output',
    bytes: text((id) => valid(id, `{"fetch":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`)),
    reason: () => 'Invalid JSON: recursion limit exceeded at line 1 column 200',
  },
  {
    name: 'nesting 100,000 deep in an unknown field',
    bytes: text((id) => `{"execution_id":"${id}","outputs":{},"completed_nodes":[],"skipped_nodes":[],"trace":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`),
    reason: () => 'Invalid JSON: nesting too deep to read at line 1 column 1',
  },
  {
    name: 'number out of range',
    bytes: text((id) => valid(id, '{"fetch":1e400}')),
    reason: (id) => `Invalid JSON: number out of range at line 1 column ${`{"execution_id":"${id}","outputs":{"fetch":1e400`.length + 1}`,
  },
  {
    name: 'trailing characters',
    bytes: text((id) => `${valid(id)} {}`),
    reason: (id) => `Invalid JSON: trailing characters at line 1 column ${valid(id).length + 2}`,
  },
  {
    name: 'NUL bytes',
    bytes: () => Buffer.alloc(4096),
    reason: () => 'Invalid JSON: expected value at line 1 column 1',
  },
  {
    name: 'gzip-compressed run',
    bytes: () => Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]),
    reason: () => 'Invalid UTF-8 at byte 1',
  },
];

/** A valid run text, for "the rest keeps working" checks. */
export function validRunText(id: string): string {
  return valid(id);
}
