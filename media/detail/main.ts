/**
 * Entry point of the detail panel's webview page (bundled to dist/webview/detail.js).
 * The page is rendered from host messages only; it says "ready" once it listens.
 */
import { parseHostMessage } from '../../src/shared/protocol';
import { DetailPage, WebviewApi } from './page';

declare function acquireVsCodeApi(): WebviewApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
const page = new DetailPage(app, vscode);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (message) page.handle(message);
});

page.start();
