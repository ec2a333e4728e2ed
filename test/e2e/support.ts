// Shared fixture of the end-to-end tests: the packaged extension (dist/flow-history.vsix,
// built by `npm run package` beforehand; nothing is built here) installed into a fresh
// code-server, a temp copy of a fixture workspace, and headless Chromium on the workbench.
// The helpers wait generously (CI machines have 2 cores) and fail with messages that say
// what was on screen instead of a bare timeout.
//
//   describe('history view', () => {
//     const workbench = useWorkbench();               // one window for the whole describe
//     it('lists the runs', async () => {
//       await workbench().openView('Flow History');
//       assert.ok((await workbench().treeRows()).some((row) => row.startsWith('67e55044')));
//     });
//   });
//
// Every failing test leaves a screenshot of each open window in test-artifacts/e2e/.
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { TestBrowser } from '../harness/browser';
import { CodeServer } from '../harness/codeServer';
import { artifactsDir, packagedVsix } from '../harness/paths';
import { copyFixture } from '../harness/fixtures';

export const e2eArtifactsDir = path.join(artifactsDir, 'e2e');

/** Long enough for a loaded 2-core CI machine; the happy path takes a fraction of it. */
const WAIT_MS = 30_000;
/** The first paint of the workbench and the extension's registration take the longest. */
const STARTUP_WAIT_MS = 90_000;

export interface WorkbenchOptions {
  /** Folder under test/fixtures copied for this window (default `workspace`). */
  fixture?: string;
  /** What to open in the copy: '.' (default) or a `.code-workspace` file. */
  open?: string;
  /** The .vsix to install (default dist/flow-history.vsix). */
  vsix?: string;
  userSettings?: Record<string, unknown>;
  /** Turn Workspace Trust on (Restricted Mode tests). */
  workspaceTrust?: boolean;
  /** Environment of the server and so of the extension host. */
  env?: Record<string, string>;
  viewport?: { width: number; height: number };
}

/** Windows currently open, so the failure hook can photograph them. */
const openWorkbenches = new Set<Workbench>();

export class Workbench {
  private constructor(
    readonly page: Page,
    readonly server: CodeServer,
    private readonly browser: TestBrowser,
    /** Temp copy of the fixture; the opened folder (or the folder holding the workspace file). */
    readonly workspaceRoot: string,
    private readonly disposeWorkspace: () => void,
  ) {}

  /** Installs the .vsix into a new code-server and opens the workbench on a fixture copy. */
  static async open(options: WorkbenchOptions = {}): Promise<Workbench> {
    const vsix = options.vsix ?? packagedVsix;
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run 'npm run package' before the e2e tests.`);
    const copy = copyFixture(options.fixture ?? 'workspace');
    let server: CodeServer | undefined;
    let browser: TestBrowser | undefined;
    try {
      server = await CodeServer.start({
        installExtensions: [vsix],
        userSettings: options.userSettings,
        workspaceTrust: options.workspaceTrust,
        env: options.env,
      });
      browser = await TestBrowser.launch();
      const page = await browser.browser.newPage({ viewport: options.viewport ?? { width: 1400, height: 900 } });
      page.setDefaultTimeout(WAIT_MS);
      const workbench = new Workbench(page, server, browser, copy.root, copy.dispose);
      openWorkbenches.add(workbench);
      const open = options.open ?? '.';
      const target = open === '.' ? { folder: copy.root } : { workspace: path.join(copy.root, open) };
      await page.goto(server.workbenchUrl(target), { timeout: STARTUP_WAIT_MS });
      await workbench.waitForWorkbench();
      return workbench;
    } catch (error) {
      for (const workbench of openWorkbenches) {
        if (workbench.server === server) {
          await workbench.screenshot('FAILED workbench start').catch(() => undefined);
          openWorkbenches.delete(workbench);
        }
      }
      await browser?.close();
      await server?.stop();
      copy.dispose();
      throw error;
    }
  }

  /** Waits until the workbench has painted its activity bar and status bar. */
  private async waitForWorkbench(): Promise<void> {
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: STARTUP_WAIT_MS });
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: STARTUP_WAIT_MS });
  }

  /**
   * Shows the view container whose activity bar entry starts with `containerTitle`
   * (for example 'Flow History'), without toggling it closed when it is already shown.
   */
  async openView(containerTitle: string): Promise<void> {
    const entry = this.page.locator(`.activitybar a.action-label[aria-label^="${cssString(containerTitle)}"]`);
    await this.waitFor(entry.first(), `activity bar entry "${containerTitle}"`, STARTUP_WAIT_MS, () => this.activityBarLabels());
    const item = entry.first().locator('xpath=ancestor::li[1]');
    const shown = (await item.getAttribute('aria-selected')) === 'true' && (await this.page.locator('.part.sidebar').isVisible());
    if (!shown) await entry.first().click();
    await this.waitFor(
      this.page.locator('.part.sidebar .composite.title h2', { hasText: containerTitle }).first(),
      `side bar titled "${containerTitle}"`,
    );
  }

  /** Tree rows of the side bar; only rendered rows exist (about 30: the list is virtual). */
  treeRowLocator(label?: string | RegExp): Locator {
    const rows = this.page.locator('.part.sidebar [role="treeitem"]');
    return label === undefined ? rows : rows.filter({ hasText: label });
  }

  /** Texts of the rendered tree rows as "label description", whitespace collapsed. */
  async treeRows(): Promise<string[]> {
    return this.treeRowLocator().evaluateAll((rows) =>
      rows.map((row) => {
        const part = (selector: string) => row.querySelector(selector)?.textContent ?? '';
        const text = row.querySelector('.label-name') ? `${part('.label-name')} ${part('.label-description')}` : (row.textContent ?? '');
        return text.replace(/\s+/g, ' ').trim();
      }),
    );
  }

  /** Waits for the first row containing `label` and returns it. */
  async waitForTreeRow(label: string | RegExp, timeout = WAIT_MS): Promise<Locator> {
    const row = this.treeRowLocator(label).first();
    await this.waitFor(row, `tree row ${String(label)}`, timeout, async () => `rows: ${JSON.stringify(await this.treeRows())}`);
    return row;
  }

  /** Runs a command from the palette by its full title, e.g. 'Flow History: Refresh'. */
  async runCommand(title: string, timeout = WAIT_MS): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    // Rows are labelled "<title>" plus extras (keybinding, "similar commands"): match the label.
    const row = rows
      .filter({ has: this.page.locator('.quick-input-list-label, .label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
      .first();
    const deadline = Date.now() + timeout;
    // The palette lists the commands known when it opened; commands registered later (an
    // extension or workbench part still starting) only show up after it is reopened.
    for (;;) {
      // A quick pick left open by an earlier command would take the text instead of the palette.
      await this.closeQuickInput();
      await this.page.locator('.monaco-workbench').press('F1');
      await this.waitFor(input, 'command palette');
      await input.fill(`>${title}`);
      try {
        await row.waitFor({ state: 'visible', timeout: Math.max(1_000, Math.min(5_000, deadline - Date.now())) });
        break;
      } catch (error) {
        if (Date.now() < deadline) continue;
        const shown = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label')));
        throw new Error(`Command "${title}" did not appear in the palette within ${timeout} ms; it shows ${JSON.stringify(shown)}.\n${(error as Error).message}`);
      }
    }
    await row.click();
  }

  /** The quick pick / input box a command opened (type into `.locator('input')`). */
  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Dismisses an open quick pick or input box (Escape), if any. */
  async closeQuickInput(): Promise<void> {
    for (let attempt = 0; attempt < 3 && (await this.quickInput().isVisible()); attempt++) {
      await this.page.keyboard.press('Escape');
      await this.quickInput().waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => undefined);
    }
  }

  /**
   * The HTML of the most recently opened webview (a panel is two nested iframes; the inner
   * one appears about 3 s after the panel opens).
   */
  webview(): FrameLocator {
    return this.page.locator('iframe.webview.ready').last().contentFrame().locator('#active-frame').contentFrame();
  }

  /** Editor tab titles, in order. */
  async editorTabs(): Promise<string[]> {
    return this.page.locator('.tabs-container .tab').allInnerTexts();
  }

  /** A modal dialog (confirmations), rendered in the page. */
  dialog(): Locator {
    return this.page.locator('.monaco-dialog-box');
  }

  /** Waits for the modal dialog and returns its message text. */
  async dialogMessage(): Promise<string> {
    await this.waitFor(this.dialog(), 'modal dialog');
    return (await this.dialog().locator('.dialog-message-text, .dialog-message').first().innerText()).trim();
  }

  /** Clicks a button of the modal dialog by its exact label (e.g. 'Delete', 'Cancel'). */
  async clickDialogButton(label: string): Promise<void> {
    const button = this.dialog().getByRole('button', { name: label, exact: true });
    await this.waitFor(button, `dialog button "${label}"`, WAIT_MS, async () => {
      const labels = await this.dialog().getByRole('button').allInnerTexts().catch(() => []);
      return `dialog buttons: ${JSON.stringify(labels)}`;
    });
    await button.click();
    await this.dialog().waitFor({ state: 'hidden' });
  }

  /** Right-clicks a tree row and picks an item of its context menu by label. */
  async clickContextMenuItem(rowLabel: string | RegExp, itemLabel: string): Promise<void> {
    const row = await this.waitForTreeRow(rowLabel);
    // A menu opened while the window still settles its context keys can lack items whose
    // `when` becomes true a moment later (seen once on a loaded machine: the row's inline
    // Delete showed, the menu's did not). Such a menu is closed and opened again.
    for (let attempt = 1; ; attempt++) {
      await row.click({ button: 'right' });
      // The last attempt waits the full time and reports what the menu shows.
      if (attempt === 3 || (await this.menuItem(itemLabel).first().waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false))) break;
      await this.page.keyboard.press('Escape');
    }
    await this.clickMenuItem(itemLabel);
  }

  private menuItem(itemLabel: string) {
    return this.page.locator('.monaco-menu .action-menu-item').filter({
      has: this.page.locator('.action-label', { hasText: new RegExp(`^${escapeRegExp(itemLabel)}$`) }),
    });
  }

  /** Clicks an item of the open context menu (menus live in a shadow root; CSS pierces it). */
  async clickMenuItem(itemLabel: string): Promise<void> {
    const item = this.menuItem(itemLabel);
    await this.waitFor(item.first(), `menu item "${itemLabel}"`, WAIT_MS, async () => {
      const labels = await this.page.locator('.monaco-menu .action-menu-item .action-label').allInnerTexts();
      return `menu shows: ${JSON.stringify(labels)}`;
    });
    // A menu ignores a click that lands too soon after it opened (against accidental picks),
    // which a loaded machine hits: if the menu is still open, the item is hovered: press Enter.
    await item.first().hover();
    await item.first().click();
    const menu = this.page.locator('.monaco-menu').first();
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false)) return;
      await item.first().hover();
      await this.page.keyboard.press('Enter');
    }
  }

  /** Messages of the notification toasts on screen now. */
  async notificationToasts(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  /**
   * Every notification so far, from the Notifications center (toasts disappear after a
   * while, and the smoke-test driver hides them altogether).
   */
  async notifications(): Promise<string[]> {
    const center = this.page.locator('.notifications-center');
    if (!(await center.isVisible())) await this.runCommand('Notifications: Show Notifications');
    await this.waitFor(center, 'notifications center');
    return center.locator('.notification-list-item-message').allInnerTexts();
  }

  /** Waits until a toast or the Notifications center shows a message matching `text`. */
  async waitForNotification(text: string | RegExp, timeout = WAIT_MS): Promise<string> {
    const matches = (message: string) => (typeof text === 'string' ? message.includes(text) : text.test(message));
    const deadline = Date.now() + timeout;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = await this.notificationToasts();
      const toast = seen.find(matches);
      if (toast !== undefined) return toast;
      await this.page.waitForTimeout(250);
    }
    seen = await this.notifications();
    const inCenter = seen.find(matches);
    if (inCenter !== undefined) return inCenter;
    throw new Error(`No notification matching ${String(text)} within ${timeout} ms; notifications: ${JSON.stringify(seen)}`);
  }

  /** Saves a screenshot as test-artifacts/e2e/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(e2eArtifactsDir, { recursive: true });
    const file = path.join(e2eArtifactsDir, `${name.replace(/[^\w.-]+/g, '_').slice(0, 150)}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Closes Chromium and code-server (by process id / group) and removes the temp folders. */
  async close(): Promise<void> {
    openWorkbenches.delete(this);
    await this.browser.close();
    await this.server.stop();
    this.disposeWorkspace();
  }

  private async activityBarLabels(): Promise<string> {
    const labels = await this.page.locator('.activitybar a.action-label').evaluateAll((links) => links.map((a) => a.getAttribute('aria-label')));
    return `activity bar: ${JSON.stringify(labels)}`;
  }

  /** Waits for a locator to be visible; on timeout says what was expected and what was seen. */
  private async waitFor(locator: Locator, what: string, timeout = WAIT_MS, describeScreen?: () => Promise<string>): Promise<void> {
    try {
      await locator.waitFor({ state: 'visible', timeout });
    } catch (error) {
      const screen = describeScreen ? await describeScreen().catch(() => '') : '';
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}.${screen ? ` ${screen}` : ''}\n${(error as Error).message}`);
    }
  }
}

/**
 * Opens one window before the tests of the enclosing `describe` and closes it after them;
 * returns a getter because the window exists only once the `before` hook ran.
 */
export function useWorkbench(options: WorkbenchOptions = {}): () => Workbench {
  let workbench: Workbench | undefined;
  before(async function () {
    this.timeout(4 * STARTUP_WAIT_MS);
    workbench = await Workbench.open(options);
  });
  after(async function () {
    this.timeout(60_000);
    await workbench?.close();
    workbench = undefined;
  });
  return () => {
    if (!workbench) throw new Error('The workbench is not open (did the before hook fail?)');
    return workbench;
  };
}

// Root hook (registered once, when the first test file imports this module): a failing
// test leaves a picture of every open window.
if (typeof afterEach === 'function') {
  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    let index = 0;
    for (const workbench of openWorkbenches) {
      const file = await workbench.screenshot(`FAILED ${test.fullTitle()}${index++ ? ` ${index}` : ''}`).catch(() => undefined);
      if (file) console.log(`    screenshot: ${path.relative(process.cwd(), file)}`);
    }
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}
