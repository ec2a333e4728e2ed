// Starts a code-server release whose command line has no `--vscode-option` (4.90.3 and the
// other releases before it) with VS Code's `enable-smoke-test-driver` option, which the
// integration tests need (docs/TESTING.md: without it the workbench ignores the `payload`).
//
//   node out/test/harness/smokeTestDriverEntry.js <code-server out/node/entry.js> [args...]
//
// code-server hands every option it parsed on to VS Code's server unchanged, but its parser
// rejects options it does not list; this adds that one VS Code option to the list, in this
// process only, and then runs code-server's own entry with the remaining arguments. The
// installed code-server is not modified.
import * as path from 'path';

const entry = process.argv[2];
if (!entry || !entry.endsWith('entry.js')) {
  console.error('usage: smokeTestDriverEntry.js <code-server out/node/entry.js> [code-server args...]');
  process.exit(2);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = require(path.join(path.dirname(entry), 'cli.js')) as { options?: Record<string, unknown> };
if (!cli.options || typeof cli.options !== 'object') {
  console.error(`${entry}: code-server's cli.js exports no options table; cannot add enable-smoke-test-driver.`);
  process.exit(2);
}
cli.options['enable-smoke-test-driver'] = { type: 'boolean' };
// code-server reads process.argv.slice(2): drop the entry path so it sees only its arguments.
process.argv.splice(2, 1);
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(entry);
