/**
 * JSONPath-style locations for "Copy path": `$.outputs["fetch"].items[0].sku`. Keys that are
 * identifiers use `.key`; every other key is written `["key"]` with JSON escaping, so any key
 * (quotes, dots, brackets, control characters) round-trips.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function bracketPath(parent: string, key: string): string {
  return `${parent}[${JSON.stringify(key)}]`;
}

export function memberPath(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? `${parent}.${key}` : bracketPath(parent, key);
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** The path of a node's output: map keys are always bracketed, like in the file. */
export function outputPath(nodeId: string): string {
  return bracketPath('$.outputs', nodeId);
}
