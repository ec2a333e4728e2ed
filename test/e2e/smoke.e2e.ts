// The packaged extension installs into a real VS Code and the workbench shows it. Also
// guards .vscodeignore: the installed folder holds only what the extension loads.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { useWorkbench } from './support';

const extensionFolder = (extensionsDir: string) =>
  fs.readdirSync(extensionsDir).find((name) => name.startsWith('a3s.flow-history-'));

/**
 * Files the .vsix may ship (mirrors .vscodeignore). `.vsixmanifest` is written by the
 * install; vsce lower-cases the README and CHANGELOG names.
 */
const allowedFiles = [
  /^\.vsixmanifest$/,
  /^package\.json$/,
  /^(readme|changelog)\.md$/i,
  /^license(\.md|\.txt)?$/i,
  /^dist\/(extension|cli|runScannerThread|runListingThread)\.js$/,
  /^dist\/webview\/.+\.(js|css)$/,
  /^dist\/codicons\/[^/]+$/,
  /^dist\/uplot\/[^/]+\.css$/,
  /^media\/.+\.css$/,
  /^media\/[^/]+\.(png|svg)$/,
];

function listFiles(root: string, relative = ''): string[] {
  return fs.readdirSync(path.join(root, relative), { withFileTypes: true }).flatMap((entry) => {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(root, rel) : [rel];
  });
}

describe('packaged extension (smoke)', () => {
  const workbench = useWorkbench();

  it('is installed from the .vsix with only its runtime files', () => {
    const folder = extensionFolder(workbench().server.extensionsDir);
    assert.ok(folder, `no a3s.flow-history-* folder in ${workbench().server.extensionsDir}`);
    const files = listFiles(path.join(workbench().server.extensionsDir, folder));
    // The worker threads too: without them a big store is listed and a big run read on the
    // extension host's own thread.
    // And uPlot's stylesheet, which the plot page links.
    for (const file of ['dist/extension.js', 'dist/runScannerThread.js', 'dist/runListingThread.js', 'dist/webview/detail.js', 'dist/uplot/uPlot.min.css']) {
      assert.ok(files.includes(file), `${file} missing; files: ${files.join(', ')}`);
    }
    const unexpected = files.filter((file) => !allowedFiles.some((pattern) => pattern.test(file)));
    assert.deepStrictEqual(unexpected, [], 'files packaged that .vscodeignore should exclude');
  });

  it('is listed under Extensions: Show Installed Extensions', async () => {
    const wb = workbench();
    await wb.runCommand('Extensions: Show Installed Extensions');
    const row = wb.page.locator('.part.sidebar .extensions-list .monaco-list-row', { hasText: 'Flow History' });
    await row.first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await row.first().getAttribute('aria-label')) ?? '', /^Flow History, 0\.\d+\.\d+, Publisher a3s/);
    await wb.screenshot('smoke - installed extensions');
  });
});
