/**
 * The upstream's response headers as a `Headers` without building one: undici's `request` API
 * gives them as a record of lower-case names, and a web `Headers` (names and values checked and
 * copied one by one) cost more per answer than the few reads the proxy makes (`content-type`,
 * `retry-after`, usage headers). Reads and iteration behave as `Headers` does: names are
 * case-insensitive, repeated values are joined with ", " (`getSetCookie` keeps them apart), and
 * iteration is sorted by name. Writes work too (on a copy made at the first one).
 */
type RawValue = string | string[] | undefined;

export class RawHeaders implements Headers {
  #raw: Record<string, RawValue>;
  #owned = false;

  constructor(raw: Record<string, RawValue>) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }

  has(name: string): boolean {
    return this.#raw[name.toLowerCase()] !== undefined;
  }

  getSetCookie(): string[] {
    const value = this.#raw['set-cookie'];
    if (value === undefined) return [];
    return typeof value === 'string' ? [value] : [...value];
  }

  #own(): Record<string, RawValue> {
    if (!this.#owned) {
      this.#raw = { ...this.#raw };
      this.#owned = true;
    }
    return this.#raw;
  }

  set(name: string, value: string): void {
    this.#own()[name.toLowerCase()] = String(value);
  }

  append(name: string, value: string): void {
    const raw = this.#own();
    const key = name.toLowerCase();
    const current = raw[key];
    raw[key] =
      current === undefined
        ? String(value)
        : [...(typeof current === 'string' ? [current] : current), String(value)];
  }

  delete(name: string): void {
    delete this.#own()[name.toLowerCase()];
  }

  *entries(): IterableIterator<[string, string]> {
    // Names are lower case already (undici's record, and every write here lower-cases).
    const names = Object.keys(this.#raw).sort();
    for (const name of names) {
      if (this.#raw[name] === undefined) continue;
      if (name === 'set-cookie') {
        for (const cookie of this.getSetCookie()) yield [name, cookie];
      } else yield [name, this.get(name)!];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(
    callback: (value: string, key: string, parent: Headers) => void,
    thisArg?: unknown,
  ): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
