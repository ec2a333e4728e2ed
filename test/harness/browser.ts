// Headless Debian Chromium driven by playwright-core. Playwright cannot download its own
// browser here, so it always gets /usr/bin/chromium. The browser is started as a server so
// its process id is known: close() ends it by that id even when Playwright's own close
// hangs (a renderer stuck in a dialog, a crashed page).
import * as fs from 'fs';
import { Browser, BrowserServer, chromium } from 'playwright-core';
import { chromiumPath } from './paths';
import { signalGroup } from './codeServer';

/** The flags that keep Chromium quiet and working in a container without a GPU. */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export class TestBrowser {
  private constructor(
    readonly browser: Browser,
    private readonly server: BrowserServer,
    /** Chromium's pid; Playwright starts it as the leader of its own process group. */
    readonly pid: number | undefined,
  ) {}

  static async launch(): Promise<TestBrowser> {
    if (!fs.existsSync(chromiumPath)) {
      throw new Error(`${chromiumPath} is missing: run 'bash scripts/install-test-env.sh' first.`);
    }
    const server = await chromium.launchServer({
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumArgs],
      timeout: 60_000,
    });
    const pid = server.process().pid;
    try {
      const browser = await chromium.connect(server.wsEndpoint(), { timeout: 60_000 });
      return new TestBrowser(browser, server, pid);
    } catch (error) {
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      throw error;
    }
  }

  /** Closes politely for a few seconds, then kills Chromium's process group by its pid. */
  async close(): Promise<void> {
    const polite = (async () => {
      await this.browser.close().catch(() => undefined);
      await this.server.close().catch(() => undefined);
    })();
    await Promise.race([polite, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    // Only while Chromium has not been reaped: a reaped pid may already belong to another process.
    const chrome = this.server.process();
    if (this.pid !== undefined && chrome.exitCode === null && chrome.signalCode === null) {
      signalGroup(this.pid, 'SIGKILL');
    }
  }
}
