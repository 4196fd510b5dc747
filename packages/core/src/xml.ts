import { twilioError } from './errors.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** Elements and text; whitespace-only text between elements is dropped, adjacent text (incl. CDATA) is merged. */
  children: (XmlElement | string)[];
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

const NAME_START = /[A-Za-z_:]/;
const NAME_REST = /[A-Za-z0-9_:.-]/;
const WHITESPACE = /\s/;
const NOT_WHITESPACE = /\S/;
const HEX_DIGITS = /^[0-9A-Fa-f]{1,6}$/;
const DEC_DIGITS = /^[0-9]{1,7}$/;
const MAX_DEPTH = 256;

function parseFailure(reason: string, at: number): never {
  throw twilioError(12100, `Document parse failure: ${reason} at offset ${at}`);
}

/**
 * A small non-validating XML parser for TwiML. There is no DTD support at all, so no entity
 * expansion beyond the five predefined ones and character references: nothing external is read.
 */
class XmlReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): XmlElement {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.skipMisc();
    if (this.text[this.pos] !== '<') parseFailure('expected a root element', this.pos);
    const root = this.parseElement();
    this.skipMisc();
    if (this.pos < this.text.length) parseFailure('content after the root element', this.pos);
    return root;
  }

  /** Whitespace, comments and processing instructions (incl. the declaration) outside the root. */
  private skipMisc(): void {
    for (;;) {
      while (this.pos < this.text.length && WHITESPACE.test(this.text[this.pos]!)) this.pos++;
      if (this.text.startsWith('<?', this.pos)) this.skipPast('?>', 'processing instruction');
      else if (this.text.startsWith('<!--', this.pos)) this.skipComment();
      else if (this.text.startsWith('<!', this.pos)) parseFailure('DTDs are not supported', this.pos);
      else return;
    }
  }

  private skipPast(terminator: string, what: string): void {
    const end = this.text.indexOf(terminator, this.pos);
    if (end === -1) parseFailure(`unterminated ${what}`, this.pos);
    this.pos = end + terminator.length;
  }

  private skipComment(): void {
    const start = this.pos;
    this.pos += 4;
    const end = this.text.indexOf('--', this.pos);
    if (end === -1) parseFailure('unterminated comment', start);
    if (this.text[end + 2] !== '>') parseFailure("'--' inside a comment", end);
    this.pos = end + 3;
  }

  private readName(): string {
    const start = this.pos;
    if (!NAME_START.test(this.text[this.pos] ?? '')) parseFailure('expected a name', this.pos);
    this.pos++;
    while (this.pos < this.text.length && NAME_REST.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && WHITESPACE.test(this.text[this.pos]!)) this.pos++;
    return this.pos > start;
  }

  /** Reads one start tag; returns the element and whether it was self-closing. */
  private readStartTag(): { element: XmlElement; selfClosing: boolean } {
    this.pos++; // '<'
    const name = this.readName();
    const attrs: Record<string, string> = {};
    for (;;) {
      const spaced = this.skipSpace();
      const ch = this.text[this.pos];
      if (ch === '>') {
        this.pos++;
        return { element: { name, attrs, children: [] }, selfClosing: false };
      }
      if (ch === '/' && this.text[this.pos + 1] === '>') {
        this.pos += 2;
        return { element: { name, attrs, children: [] }, selfClosing: true };
      }
      if (ch === undefined) parseFailure(`unterminated start tag <${name}>`, this.pos);
      if (!spaced) parseFailure('expected whitespace before an attribute', this.pos);
      const attrAt = this.pos;
      const attrName = this.readName();
      this.skipSpace();
      if (this.text[this.pos] !== '=') parseFailure(`attribute ${attrName} has no value`, this.pos);
      this.pos++;
      this.skipSpace();
      const quote = this.text[this.pos];
      if (quote !== '"' && quote !== "'") parseFailure(`attribute ${attrName} value is not quoted`, this.pos);
      const end = this.text.indexOf(quote, this.pos + 1);
      if (end === -1) parseFailure(`unterminated attribute ${attrName}`, this.pos);
      const raw = this.text.slice(this.pos + 1, end);
      if (raw.includes('<')) parseFailure(`'<' in attribute ${attrName}`, this.pos);
      if (Object.hasOwn(attrs, attrName)) parseFailure(`duplicate attribute ${attrName}`, attrAt);
      attrs[attrName] = this.decodeEntities(raw, this.pos + 1);
      this.pos = end + 1;
    }
  }

  private parseElement(): XmlElement {
    const first = this.readStartTag();
    if (first.selfClosing) return first.element;
    const stack: XmlElement[] = [first.element];
    // Text is gathered across comments and CDATA and flushed when a tag starts or ends.
    let text = '';
    // CDATA is content even when it is only whitespace.
    let textHasCdata = false;
    const flushText = (into: XmlElement): void => {
      if (text.length > 0 && (textHasCdata || NOT_WHITESPACE.test(text))) into.children.push(text);
      text = '';
      textHasCdata = false;
    };
    while (stack.length > 0) {
      const current = stack[stack.length - 1]!;
      const lt = this.text.indexOf('<', this.pos);
      if (lt === -1) parseFailure(`unclosed element <${current.name}>`, this.pos);
      if (lt > this.pos) {
        text += this.decodeEntities(this.text.slice(this.pos, lt), this.pos);
        this.pos = lt;
      }
      if (this.text.startsWith('<![CDATA[', this.pos)) {
        const end = this.text.indexOf(']]>', this.pos + 9);
        if (end === -1) parseFailure('unterminated CDATA section', this.pos);
        text += this.text.slice(this.pos + 9, end);
        textHasCdata = true;
        this.pos = end + 3;
      } else if (this.text.startsWith('<!--', this.pos)) {
        this.skipComment();
      } else if (this.text.startsWith('<?', this.pos)) {
        this.skipPast('?>', 'processing instruction');
      } else if (this.text.startsWith('<!', this.pos)) {
        parseFailure('DTDs are not supported', this.pos);
      } else if (this.text[this.pos + 1] === '/') {
        flushText(current);
        const at = this.pos;
        this.pos += 2;
        const name = this.readName();
        this.skipSpace();
        if (this.text[this.pos] !== '>') parseFailure(`malformed end tag </${name}>`, this.pos);
        this.pos++;
        if (name !== current.name) parseFailure(`</${name}> does not close <${current.name}>`, at);
        stack.pop();
      } else {
        flushText(current);
        const { element, selfClosing } = this.readStartTag();
        current.children.push(element);
        if (!selfClosing) {
          if (stack.length >= MAX_DEPTH) parseFailure('elements nested too deeply', this.pos);
          stack.push(element);
        }
      }
    }
    return first.element;
  }

  private decodeEntities(raw: string, offset: number): string {
    let amp = raw.indexOf('&');
    if (amp === -1) return raw;
    let out = '';
    let from = 0;
    while (amp !== -1) {
      const semi = raw.indexOf(';', amp);
      if (semi === -1) parseFailure("'&' not followed by an entity", offset + amp);
      out += raw.slice(from, amp) + this.resolveEntity(raw.slice(amp + 1, semi), offset + amp);
      from = semi + 1;
      amp = raw.indexOf('&', from);
    }
    return out + raw.slice(from);
  }

  private resolveEntity(name: string, at: number): string {
    if (name.startsWith('#')) {
      const hex = name[1] === 'x';
      const digits = name.slice(hex ? 2 : 1);
      const valid = (hex ? HEX_DIGITS : DEC_DIGITS).test(digits);
      const code = valid ? Number.parseInt(digits, hex ? 16 : 10) : -1;
      if (code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        parseFailure(`invalid character reference &${name};`, at);
      }
      return String.fromCodePoint(code);
    }
    const value = NAMED_ENTITIES[name];
    if (value === undefined) parseFailure(`unknown entity &${name};`, at);
    return value;
  }
}

/** Parses an XML document (TwiML); throws TwilioError 12100 on malformed input. */
export function parseXml(text: string): XmlElement {
  return new XmlReader(text).parseDocument();
}

/** The element's own text (children that are strings), concatenated and trimmed. */
export function textOf(el: XmlElement): string {
  let out = '';
  for (const child of el.children) if (typeof child === 'string') out += child;
  return out.trim();
}
