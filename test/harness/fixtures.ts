// Fixture workspaces (test/fixtures/*) are copied to a throwaway temp folder for every
// window, so a test may add, change or delete runs without touching the repository or
// the next test.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fixturesDir } from './paths';

export interface FixtureCopy {
  /** The copied fixture folder. */
  root: string;
  /** Removes the copy. */
  dispose(): void;
}

/** Copies test/fixtures/<fixture> to a new temp folder (keeping the fixture's folder name). */
export function copyFixture(fixture: string): FixtureCopy {
  const source = path.join(fixturesDir, fixture);
  if (!fs.existsSync(source)) throw new Error(`No fixture ${source}`);
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-ws-'));
  const root = path.join(parent, path.basename(fixture));
  fs.cpSync(source, root, { recursive: true });
  return { root, dispose: () => fs.rmSync(parent, { recursive: true, force: true, maxRetries: 3 }) };
}
