/**
 * Typed validators for data that crosses a trust boundary (webview messages, restored panel
 * state). A validator returns the value when it has the shape, else INVALID. `object<T>()`
 * takes one validator per field of T, and the compiler checks that list against T: a field
 * added to a message type without a validator (or with one of another type) does not build,
 * so a type and its validator cannot drift apart.
 */

export const INVALID: unique symbol = Symbol('invalid');

export type Validator<T> = (value: unknown) => T | typeof INVALID;

/** One validator per field of T, required for every field (optional ones included). */
export type Shape<T> = { readonly [K in keyof T]-?: Validator<T[K]> };

/** The value when `validator` accepts it, else undefined. */
export function check<T>(validator: Validator<T>, value: unknown): T | undefined {
  const checked = validator(value);
  return checked === INVALID ? undefined : checked;
}

/** Any string, at most `maxLength` characters. */
export function string(maxLength = Number.MAX_SAFE_INTEGER): Validator<string> {
  return (value) => (typeof value === 'string' && value.length <= maxLength ? value : INVALID);
}

/** Bytes: a Uint8Array (what a typed array in a webview message arrives as). */
export const bytes: Validator<Uint8Array> = (value) => (value instanceof Uint8Array ? value : INVALID);

/** An instance of `type` (typed arrays: VS Code hands them to the page as they are). */
export function instanceOf<T>(type: abstract new (...args: never[]) => T): Validator<T> {
  return (value) => (value instanceof type ? value : INVALID);
}

export const number: Validator<number> = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : INVALID);

/** A safe integer of 0 or more. */
export const count: Validator<number> = (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : INVALID);

/** Exactly `true` (flags that are present only when set). */
export const isTrue: Validator<true> = (value) => (value === true ? true : INVALID);

/** One of the given strings. */
export function oneOf<T extends string>(...values: readonly T[]): Validator<T> {
  return (value) => (typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : INVALID);
}

/**
 * One of the keys of `members`: a record with every member of the union T as a key, so
 * the compiler refuses the list when T gains or loses a member.
 */
export function memberOf<T extends string>(members: { readonly [K in T]: true }): Validator<T> {
  return (value) => (typeof value === 'string' && Object.prototype.hasOwnProperty.call(members, value) ? (value as T) : INVALID);
}

/** A field that may be absent (undefined); when present it must pass `inner`. */
export function optional<T>(inner: Validator<T>): Validator<T | undefined> {
  return (value) => (value === undefined ? undefined : inner(value));
}

/** An array whose every item passes `item`. */
export function arrayOf<T>(item: Validator<T>): Validator<T[]> {
  return (value) => {
    if (!Array.isArray(value)) return INVALID;
    const out: T[] = [];
    for (const element of value) {
      const checked = item(element);
      if (checked === INVALID) return INVALID;
      out.push(checked);
    }
    return out;
  };
}

/** Passes when `inner` does and `test` holds for the result. */
export function refine<T>(inner: Validator<T>, test: (value: T) => boolean): Validator<T> {
  return (value) => {
    const checked = inner(value);
    return checked !== INVALID && test(checked) ? checked : INVALID;
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A plain object with the fields of `shape`, read from its own properties only (never its
 * prototype). `exact`: any other own field refuses the whole object. The result is a fresh
 * object holding only the validated fields.
 */
export function object<T>(shape: Shape<T>, options: { readonly exact?: boolean } = {}): Validator<T> {
  const keys = Object.keys(shape);
  return (value) => {
    if (!isRecord(value)) return INVALID;
    if (options.exact && Object.keys(value).some((key) => !keys.includes(key))) return INVALID;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const own = Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
      const checked = (shape as Record<string, Validator<unknown>>)[key](own);
      if (checked === INVALID) return INVALID;
      if (checked !== undefined) out[key] = checked;
    }
    return out as T;
  };
}

/** A union told apart by its `type` field: the validator of the member that `type` names. */
export function tagged<T extends { readonly type: string }>(members: { readonly [K in T['type']]: Validator<Extract<T, { readonly type: K }>> }): Validator<T> {
  return (value) => {
    if (!isRecord(value) || !Object.prototype.hasOwnProperty.call(value, 'type') || typeof value.type !== 'string') return INVALID;
    if (!Object.prototype.hasOwnProperty.call(members, value.type)) return INVALID;
    return (members as Record<string, Validator<T>>)[value.type](value);
  };
}
