/**
 * What the wide-run e2e test and benchmark do inside the detail page (a webview in code-server,
 * driven by Playwright): count its DOM, scroll through it, read the focus, type in the filter.
 */
import type { FrameLocator } from 'playwright-core';

// The page's globals, for the functions that run inside the webview through `evaluate` (the
// tests compile without the DOM library); only what they use.
export interface PageElement {
  readonly classList: { contains(name: string): boolean };
  closest(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; bottom: number };
  dispatchEvent(event: unknown): boolean;
  value: string;
}
declare const document: { activeElement: PageElement | null; documentElement: { scrollHeight: number }; getElementsByTagName(name: string): { length: number } };
declare const window: { innerHeight: number; scrollY: number; scrollTo(x: number, y: number): void };
declare function requestAnimationFrame(callback: () => void): number;
declare class KeyboardEvent {
  constructor(type: string, init: { key: string; bubbles: boolean });
}

export const elementCount = (web: FrameLocator): Promise<number> => web.locator('body').evaluate(() => document.getElementsByTagName('*').length);

/** The node id of the section whose header has the focus (undefined when none has). */
export const focusedNode = (web: FrameLocator): Promise<{ id: string | null; pos: string | null; size: string | null; inView: boolean } | undefined> =>
  web.locator('body').evaluate(() => {
    const active = document.activeElement;
    const section = active?.closest('[data-testid="node-section"]');
    if (!active?.classList.contains('section-toggle') || !section) return undefined;
    const box = section.getBoundingClientRect();
    return {
      id: section.getAttribute('data-node-id'),
      pos: section.getAttribute('aria-posinset'),
      size: section.getAttribute('aria-setsize'),
      inView: box.bottom > 0 && box.top < window.innerHeight,
    };
  });

/**
 * Scrolls the page in `steps` jumps to the end (or the start), waiting two frames after each
 * so the list catches up; returns the most elements seen in the DOM on the way.
 */
export const scrollThrough = (web: FrameLocator, to: 'end' | 'start', steps: number): Promise<number> =>
  web.locator('body').evaluate(
    async (_body, { to, steps }) => {
      const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
      let most = document.getElementsByTagName('*').length;
      for (let i = 1; i <= steps; i++) {
        const end = document.documentElement.scrollHeight - window.innerHeight;
        const from = window.scrollY;
        const target = to === 'end' ? from + ((end - from) * 1) / (steps - i + 1) : from - (from * 1) / (steps - i + 1);
        window.scrollTo(0, target);
        await frame();
        await frame();
        most = Math.max(most, document.getElementsByTagName('*').length);
      }
      return most;
    },
    { to, steps },
  );

/**
 * Types `text` into the filter one character at a time as the page gets each keystroke (Enter
 * applies at once, without the typing delay); returns the ms each took inside the page: the
 * filter over all the nodes plus the list's new screen.
 */
export const filterKeystrokes = (web: FrameLocator, text: string): Promise<number[]> =>
  web.locator('[data-testid="filter"]').evaluate((input: PageElement, text) => {
    const spent: number[] = [];
    for (let i = 1; i <= text.length; i++) {
      input.value = text.slice(0, i);
      const started = performance.now();
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      spent.push(performance.now() - started);
    }
    return spent;
  }, text);
