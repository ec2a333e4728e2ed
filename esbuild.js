// Bundles the three runtimes: the extension host (node/cjs, `vscode` external), the CLI
// (node/cjs with a shebang) and the detail panel's webview script (browser/iife).
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');
const { buildWasm } = require('./scripts/build-wasm');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Logs build results the way VS Code's esbuild problem matcher expects. */
const problemMatcherPlugin = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  // pg loads its optional native binding (pg-native) only when asked for it; we never do,
  // so it is neither installed nor bundled.
  external: ['pg-native'],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  plugins: [problemMatcherPlugin],
};

/** The webview loads codicons from dist/, never from node_modules (not packaged). */
function copyCodicons() {
  const from = path.join(__dirname, 'node_modules', '@vscode', 'codicons', 'dist');
  const to = path.join(__dirname, 'dist', 'codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

/** uPlot's stylesheet, loaded by the plot page through the shell (a file, not inline styles). */
function copyUplotCss() {
  const to = path.join(__dirname, 'dist', 'uplot');
  fs.mkdirSync(to, { recursive: true });
  fs.copyFileSync(path.join(__dirname, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), path.join(to, 'uPlot.min.css'));
}

async function main() {
  // The export kernel (AssemblyScript) first: the bundles embed it.
  buildWasm();
  const contexts = await Promise.all([
    esbuild.context({
      ...common,
      entryPoints: ['src/extension.ts'],
      outfile: 'dist/extension.js',
      format: 'cjs',
      platform: 'node',
      target: 'node18',
      external: ['vscode', 'pg-native'],
    }),
    esbuild.context({
      ...common,
      entryPoints: ['src/node/runScannerThread.ts'],
      outfile: 'dist/runScannerThread.js',
      format: 'cjs',
      platform: 'node',
      target: 'node18',
    }),
    esbuild.context({
      ...common,
      entryPoints: ['src/node/runListingThread.ts'],
      outfile: 'dist/runListingThread.js',
      format: 'cjs',
      platform: 'node',
      target: 'node18',
    }),
    esbuild.context({
      ...common,
      entryPoints: ['src/cli/main.ts'],
      outfile: 'dist/cli.js',
      format: 'cjs',
      platform: 'node',
      target: 'node18',
      banner: { js: '#!/usr/bin/env node' },
    }),
    esbuild.context({
      ...common,
      entryPoints: ['media/detail/main.ts'],
      outfile: 'dist/webview/detail.js',
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
    }),
    esbuild.context({
      ...common,
      entryPoints: ['media/grid/main.ts'],
      outfile: 'dist/webview/grid.js',
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
    }),
    esbuild.context({
      ...common,
      entryPoints: ['media/history/main.ts'],
      outfile: 'dist/webview/history.js',
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
    }),
    esbuild.context({
      ...common,
      entryPoints: ['media/plot/main.ts'],
      outfile: 'dist/webview/plot.js',
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
    }),
  ]);
  copyCodicons();
  copyUplotCss();
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
  } else {
    await Promise.all(contexts.map((ctx) => ctx.rebuild()));
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
    fs.chmodSync(path.join(__dirname, 'dist', 'cli.js'), 0o755);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
