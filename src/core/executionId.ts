/**
 * Execution ids: the textual forms Rust's `uuid` crate reads (hyphenated, simple, braced,
 * `urn:uuid:`, hex digits in any case), normalised to the lowercase hyphenated form used
 * for keys and file names. An id is validated before it ever becomes part of a path.
 */
import { v4 as uuidV4, validate as uuidValidate } from 'uuid';

const HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SIMPLE = /^[0-9a-fA-F]{32}$/;
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Returns the lowercase hyphenated form of any id serde's uuid accepts, else undefined. */
export function normalizeExecutionId(text: string): string | undefined {
  let body = text;
  if (body.length === 38 && body.startsWith('{') && body.endsWith('}')) {
    body = body.slice(1, -1);
    if (!HYPHENATED.test(body)) return undefined;
  } else if (body.length === 45 && body.startsWith('urn:uuid:')) {
    body = body.slice(9);
    if (!HYPHENATED.test(body)) return undefined;
  } else if (SIMPLE.test(body)) {
    body = `${body.slice(0, 8)}-${body.slice(8, 12)}-${body.slice(12, 16)}-${body.slice(16, 20)}-${body.slice(20)}`;
  } else if (!HYPHENATED.test(body)) {
    return undefined;
  }
  return body.toLowerCase();
}

/** True for the canonical form only (what file names and keys must look like). */
export function isCanonicalExecutionId(text: string): boolean {
  return CANONICAL.test(text);
}

/** A fresh random (v4) execution id. */
export function newExecutionId(): string {
  const id = uuidV4();
  // uuid's validate doubles as a guard that the generator gave what we expect.
  if (!uuidValidate(id)) throw new Error('uuid generator returned an invalid id');
  return id;
}

/** The first 8 hex digits: the short form rows may show. */
export function shortExecutionId(id: string): string {
  return id.slice(0, 8);
}
