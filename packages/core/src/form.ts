/**
 * application/x-www-form-urlencoded handling with Twilio's quirks: repeated keys are arrays,
 * parameter names are taken literally (`DateSent<`, `Timers.Inactive`), and bad escapes are
 * kept as text instead of failing the request.
 */

const PLUS = /\+/g;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const ENCODED_SPACE = /%20/g;

/**
 * Decodes what it can: each run of `%XX` escapes is decoded on its own, and a run that is not
 * valid UTF-8 (or a lone `%`) stays as the raw text.
 */
function lenientDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(PERCENT_RUN, decodeRunOrKeep);
  }
}

function decodeRunOrKeep(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run;
  }
}

function decodeFormComponent(text: string): string {
  if (text.indexOf('+') !== -1) text = text.replace(PLUS, ' ');
  return text.indexOf('%') === -1 ? text : lenientDecode(text);
}

/** Path segments are not form data: a literal `+` stays `+` (E.164 numbers appear unencoded in paths). */
export function decodePathSegment(segment: string): string {
  return segment.indexOf('%') === -1 ? segment : lenientDecode(segment);
}

function encodeFormComponent(text: string): string {
  return encodeURIComponent(text).replace(ENCODED_SPACE, '+');
}

/** An ordered multi-map of form fields. */
export class FormParams {
  private readonly keys: string[] = [];
  private readonly values: string[] = [];
  private readonly byName = new Map<string, string[]>();

  static parse(text: string): FormParams {
    const params = new FormParams();
    if (text.length === 0) return params;
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf('&', start);
      if (end === -1) end = text.length;
      if (end > start) {
        const eq = text.indexOf('=', start);
        if (eq === -1 || eq > end) {
          params.append(decodeFormComponent(text.slice(start, end)), '');
        } else {
          params.append(
            decodeFormComponent(text.slice(start, eq)),
            decodeFormComponent(text.slice(eq + 1, end)),
          );
        }
      }
      start = end + 1;
    }
    return params;
  }

  static from(record: Readonly<Record<string, string | readonly string[]>>): FormParams {
    const params = new FormParams();
    for (const name of Object.keys(record)) {
      const value = record[name]!;
      if (typeof value === 'string') params.append(name, value);
      else for (const v of value) params.append(name, v);
    }
    return params;
  }

  append(name: string, value: string): void {
    this.keys.push(name);
    this.values.push(value);
    const existing = this.byName.get(name);
    if (existing) existing.push(value);
    else this.byName.set(name, [value]);
  }

  get size(): number {
    return this.keys.length;
  }

  get(name: string): string | undefined {
    return this.byName.get(name)?.[0];
  }

  getAll(name: string): string[] {
    const all = this.byName.get(name);
    return all ? all.slice() : [];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Distinct names in order of first appearance. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  entries(): [string, string][] {
    return this.keys.map((k, i) => [k, this.values[i]!]);
  }

  /** First value of each name. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, values] of this.byName) out[name] = values[0]!;
    return out;
  }

  toString(): string {
    let out = '';
    for (let i = 0; i < this.keys.length; i++) {
      if (i > 0) out += '&';
      out += encodeFormComponent(this.keys[i]!) + '=' + encodeFormComponent(this.values[i]!);
    }
    return out;
  }
}

export function encodeForm(params: Readonly<Record<string, string | readonly string[]>>): string {
  return FormParams.from(params).toString();
}
