// A small glob matcher for test file selection. The extension host that runs the
// integration tests resolves modules from this repository, where `glob` is only a
// transitive dependency of mocha; a dozen lines here avoid relying on it.
import * as fs from 'fs';
import * as path from 'path';

/**
 * `**` spans folders, `*` and `?` stay within one path segment, `{a,b}` is either (not
 * nested); paths use `/`.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  let inBraces = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '{' && !inBraces && pattern.indexOf('}', i) > i) {
      source += '(?:';
      inBraces = true;
    } else if (char === '}' && inBraces) {
      source += ')';
      inBraces = false;
    } else if (char === ',' && inBraces) {
      source += '|';
    } else if (char === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** Files under `root` whose path relative to it matches `pattern`, sorted for a stable order. */
export function findFiles(root: string, pattern: string): string[] {
  const matcher = globToRegExp(pattern);
  const found: string[] = [];
  const walk = (dir: string, relative: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), rel);
      else if (matcher.test(rel)) found.push(path.join(dir, entry.name));
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return found.sort();
}
