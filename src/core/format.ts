/** Display strings shared by the tree, the panel and the CLI. Pure, locale-independent. */
import { isJsonObject, JsonNumber, JsonValue, stringifyJson } from './json';

export function utf8ByteLength(text: string, start = 0, end = text.length): number {
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function formatRelativeTime(time: number, now: number): string {
  const seconds = Math.round((now - time) / 1000);
  if (seconds < 45) return seconds < -45 ? formatTimestamp(time) : 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 30) return days === 1 ? 'yesterday' : `${days} days ago`;
  return formatTimestamp(time).slice(0, 10);
}

/** ISO-like local-independent timestamp: 2026-11-26 12:04:05 UTC. */
export function formatTimestamp(time: number): string {
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * Invisible or reordering characters: controls, bidi marks, embeddings, overrides and
 * isolates, zero-width characters, soft hyphen, fillers, line/paragraph separators, BOM,
 * Unicode tags. The same set the detail page escapes (media/detail/dom.ts).
 */
// Combining marks (U+034F, U+17B4-5, U+180B-D) sit outside the class: lint refuses them in one.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /^(?:[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]|\u034f|\u17b4|\u17b5|\u180b|\u180c|\u180d)$/u;

/**
 * Makes stored text safe to put on one line of a label: control characters (newlines,
 * carriage returns, escape, C1 controls), bidi controls and invisible characters become
 * visible escapes, so a value can neither break a row, hide part of itself, nor visually
 * reorder its neighbours. Everything else is shown as stored.
 */
export function oneLine(text: string, max = 120): string {
  let out = '';
  for (const ch of text) {
    if (INVISIBLE.test(ch)) {
      const c = ch.charCodeAt(0);
      out += c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : escapeUnits(ch);
    } else {
      out += ch;
    }
    if (out.length > max) return `${out.slice(0, max)}…`;
  }
  return out;
}

function escapeUnits(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** A one-line preview of a JSON value, for tree rows and summaries. */
export function previewValue(value: JsonValue, max = 80): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || value instanceof JsonNumber) {
    return String(value);
  }
  if (typeof value === 'string') return oneLine(JSON.stringify(value), max);
  if (Array.isArray(value)) {
    const head = `[${value.length}] `;
    return oneLine(head + compactPrefix(value, max), max);
  }
  if (isJsonObject(value)) {
    const keys = Object.keys(value).length;
    return oneLine(`{${keys}} ${compactPrefix(value, max)}`, max);
  }
  return '';
}

/** The start of a value's compact JSON without serialising all of a huge value. */
function compactPrefix(value: JsonValue, max: number): string {
  if (Array.isArray(value)) {
    const parts: string[] = [];
    let length = 1;
    for (const item of value) {
      const part = compactPrefix(item, max - length);
      parts.push(part);
      length += part.length + 1;
      if (length > max) break;
    }
    return `[${parts.join(',')}${length > max ? '…' : ']'}`;
  }
  if (isJsonObject(value)) {
    const parts: string[] = [];
    let length = 1;
    for (const key of Object.keys(value)) {
      const part = `${JSON.stringify(key)}:${compactPrefix(value[key], max - length)}`;
      parts.push(part);
      length += part.length + 1;
      if (length > max) break;
    }
    return `{${parts.join(',')}${length > max ? '…' : '}'}`;
  }
  const text = stringifyJson(value);
  return text.length > max ? `${text.slice(0, Math.max(max, 1))}…` : text;
}
