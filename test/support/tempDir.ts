import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A fresh temp folder per test, removed in afterEach. */
export function useTempDir(prefix = 'flow-history-'): () => string {
  let dir: string | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (!dir) throw new Error('temp dir used outside a test');
    return dir;
  };
}
