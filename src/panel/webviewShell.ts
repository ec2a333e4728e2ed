/** The HTML shell of our webviews (detail panel, run grid): no data in it, only our own script and styles. */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';

/** 128 bits or more from the OS's CSPRNG. */
export function createNonce(): string {
  return randomBytes(24).toString('base64url'); // 192 bits
}

export interface ShellParts {
  /** The stylesheet under media/ (for example 'detail.css'). */
  readonly css: string;
  /** The bundle under dist/webview/ (for example 'detail.js'). */
  readonly script: string;
  readonly title: string;
  /** More stylesheets, relative to the extension (for example 'dist/uplot/uPlot.min.css'), before `css`. */
  readonly extraCss?: readonly string[];
  /** Extra attributes of the page's <main id="app"> (for example ' aria-live="polite"'). */
  readonly appAttributes?: string;
}

/** The page shell: no data in it, only our own script and styles, allowed by nonce and source. */
export function renderWebviewShell(webview: vscode.Webview, extensionUri: vscode.Uri, parts: ShellParts): string {
  const nonce = createNonce();
  const asset = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${asset('dist', 'codicons', 'codicon.css')}" rel="stylesheet" id="vscode-codicon-stylesheet">
${(parts.extraCss ?? []).map((css) => `<link href="${asset(...css.split('/'))}" rel="stylesheet">\n`).join('')}<link href="${asset('media', parts.css)}" rel="stylesheet">
<title>${parts.title}</title>
</head>
<body>
<main id="app"${parts.appAttributes ?? ''}></main>
<script nonce="${nonce}" src="${asset('dist', 'webview', parts.script)}"></script>
</body>
</html>`;
}
