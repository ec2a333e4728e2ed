/** Helpers the end-to-end tests share for the README's pictures: a wide side bar, no hover, cropped copies. */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { e2eArtifactsDir, Workbench } from './support';

/** Drags the side bar's sash so run descriptions are not cut off. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  const sash = await page.locator('.monaco-sash.primary-sidebar-sash').boundingBox();
  if (!sidebar || !sash) throw new Error('no side bar or side bar sash on screen');
  const x = sash.x + sash.width / 2;
  const y = sash.y + sash.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + (width - sidebar.width) / 2, y, { steps: 4 });
  await page.mouse.move(x + (width - sidebar.width), y, { steps: 4 });
  await page.mouse.up();
}

/** Parks the mouse on the empty middle of the status bar: no hover, no tooltip in the picture. */
export async function parkMouse(page: Page): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1400, height: 900 };
  await page.mouse.move(viewport.width / 2, viewport.height - 10);
  await page.waitForTimeout(300);
}

/** The full window through the shared helper, plus a (cropped) copy for the README. */
export async function screenshots(wb: Workbench, name: string, docsClip?: { x: number; y: number; width: number; height: number }): Promise<void> {
  await parkMouse(wb.page);
  await wb.screenshot(name);
  const docs = path.join(e2eArtifactsDir, 'docs');
  fs.mkdirSync(docs, { recursive: true });
  await wb.page.screenshot({ path: path.join(docs, `${name}.png`), clip: docsClip });
}

/** The side bar, down to a little below its last row (for the tree pictures). */
export async function sideBarClip(wb: Workbench): Promise<{ x: number; y: number; width: number; height: number }> {
  const sidebar = await wb.page.locator('.part.sidebar').boundingBox();
  const rows = await wb.treeRowLocator().evaluateAll((elements) => Math.max(...elements.map((e) => e.getBoundingClientRect().bottom)));
  if (!sidebar) throw new Error('no side bar');
  // Below the title bar (its navigation arrows and command center would show cut off).
  const top = Math.max(0, Math.floor(sidebar.y) - 6);
  return { x: 0, y: top, width: Math.ceil(sidebar.x + sidebar.width + 6), height: Math.min(Math.ceil(rows + 60), Math.ceil(sidebar.y + sidebar.height)) - top };
}

/** Labels (short ids) and descriptions of the run rows, in screen order. */
