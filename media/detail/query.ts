import { isJsonObject, JsonNumber, JsonValue } from '../../src/core/json';

/** Case folding used on both sides of a comparison (final sigma folds like sigma). */
export function fold(text: string): string {
  return text.toLowerCase().replace(/ς/g, 'σ');
}

/**
 * The filter's text, case-folded, and the match test over JSON values: a value matches when
 * it or anything inside it (object keys, strings, numbers as written, true/false/null)
 * contains the text. Array indices are positions, not data, so they never match.
 */
export class Query {
  readonly needle: string;
  private readonly memo = new WeakMap<object, boolean>();
  /** Whether raw JSON text can rule a value out: not when the needle holds escaped characters. */
  private readonly rawComparable: boolean;

  constructor(text: string) {
    this.needle = fold(text);
    // eslint-disable-next-line no-control-regex
    this.rawComparable = !/["\\\u0000-\u001f\u2028\u2029]/.test(this.needle);
  }

  test(text: string): boolean {
    return fold(text).includes(this.needle);
  }

  /**
   * A cheap negative test on a value's compact JSON text (already folded): false means no
   * key or value inside can match, so the text need not be parsed.
   */
  mayMatchJson(foldedJson: string): boolean {
    if (!this.rawComparable || foldedJson.includes('\\u')) return true;
    return foldedJson.includes(this.needle);
  }

  /** Whether the value, or anything inside it, matches. */
  valueMatches(value: JsonValue): boolean {
    if (value === null) return this.test('null');
    if (typeof value === 'string') return this.test(value);
    if (typeof value === 'number' || typeof value === 'boolean') return this.test(String(value));
    if (value instanceof JsonNumber) return this.test(value.text);
    const known = this.memo.get(value);
    if (known !== undefined) return known;
    let found = false;
    if (Array.isArray(value)) {
      found = value.some((item) => this.valueMatches(item));
    } else if (isJsonObject(value)) {
      for (const key of Object.keys(value)) {
        if (this.test(key) || this.valueMatches(value[key])) {
          found = true;
          break;
        }
      }
    }
    this.memo.set(value, found);
    return found;
  }

  /** An object member or array element: its key (not an index) or its value matches. */
  entryMatches(key: string | number | undefined, value: JsonValue): boolean {
    return (typeof key === 'string' && this.test(key)) || this.valueMatches(value);
  }
}
