#!/bin/sh
# Stands in for the VS Code executable given to @vscode/test-electron's runTests() as
# `vscodeExecutablePath` on machines that cannot download VS Code: the arguments are turned
# into a code-server + headless Chromium run (see codeServerLauncher.ts).
exec node "$(dirname "$0")/../../out/test/harness/codeServerLauncher.js" "$@"
