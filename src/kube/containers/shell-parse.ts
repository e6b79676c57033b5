/**
 * The grammar of the simulated `sh -c`: lists (`;`, newlines, `&&`, `||`), pipelines (`|`), simple commands with
 * quoting, `$VAR`/`${VAR}`/`$?` expansion, redirections (`>`, `>>`, `<`, `2>&1`, `>&2`), assignments, and the
 * compound commands scripts in manifests use most (`while`/`until … do … done`, `for x in …; do … done`,
 * `if … then … elif … else … fi`). Anything else is a syntax error, reported as sh reports it.
 */

/** A word is kept as parts so expansion happens at run time (after earlier commands set variables). */
export type WordPart = { text: string; expand: boolean; quoted: boolean };
export type Word = WordPart[];

export interface Redirect {
  fd: 0 | 1 | 2;
  op: '>' | '>>' | '<' | '>&';
  target: Word | 1 | 2;
}

export type Node =
  | { type: 'simple'; assigns: { name: string; value: Word }[]; words: Word[]; redirects: Redirect[] }
  | { type: 'pipeline'; commands: Node[]; negate: boolean }
  | { type: 'and' | 'or'; left: Node; right: Node }
  | { type: 'seq'; items: Node[] }
  | { type: 'while' | 'until'; cond: Node; body: Node }
  | { type: 'for'; name: string; items: Word[]; body: Node }
  | { type: 'if'; branches: { cond: Node; body: Node }[]; otherwise?: Node };

export class ShellSyntaxError extends Error {}

type Tok = { t: 'word'; w: Word; raw: string } | { t: 'op'; v: string };

const OPS = ['&&', '||', ';;', '>>', '2>&1', '>&2', '1>&2', '2>', '1>', '|', ';', '\n', '>', '<', '(', ')', '&'];

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      if (op === '&') throw new ShellSyntaxError('background jobs (&) are not supported');
      if (op === '(' || op === ')') throw new ShellSyntaxError(`syntax error: unexpected "${op}"`);
      toks.push({ t: 'op', v: op });
      i += op.length;
      continue;
    }
    // a word
    const parts: Word = [];
    let raw = '';
    let buf = '';
    const flush = (expand: boolean, quoted: boolean) => {
      if (buf) parts.push({ text: buf, expand, quoted });
      buf = '';
    };
    while (i < src.length && !/[\s;|&<>()]/.test(src[i])) {
      const ch = src[i];
      if (ch === "'") {
        flush(true, false);
        const end = src.indexOf("'", i + 1);
        if (end < 0) throw new ShellSyntaxError('syntax error: unterminated quoted string');
        parts.push({ text: src.slice(i + 1, end), expand: false, quoted: true });
        raw += src.slice(i, end + 1);
        i = end + 1;
      } else if (ch === '"') {
        flush(true, false);
        let j = i + 1;
        let s = '';
        while (j < src.length && src[j] !== '"') {
          if (src[j] === '`' || (src[j] === '$' && src[j + 1] === '(')) throw new ShellSyntaxError('command substitution is not supported by the simulated shell');
          if (src[j] === '\\' && /["\\$`\n]/.test(src[j + 1] ?? '')) {
            s += src[j + 1] === '$' ? '\\$' : src[j + 1];
            j += 2;
          } else s += src[j++];
        }
        if (j >= src.length) throw new ShellSyntaxError('syntax error: unterminated quoted string');
        parts.push({ text: s, expand: true, quoted: true });
        raw += src.slice(i, j + 1);
        i = j + 1;
      } else if (ch === '\\') {
        flush(true, false);
        parts.push({ text: src[i + 1] ?? '', expand: false, quoted: true });
        raw += src.slice(i, i + 2);
        i += 2;
      } else if (ch === '`' || (ch === '$' && src[i + 1] === '(')) {
        throw new ShellSyntaxError('command substitution is not supported by the simulated shell');
      } else {
        buf += ch;
        raw += ch;
        i++;
      }
    }
    flush(true, false);
    toks.push({ t: 'word', w: parts, raw });
  }
  return toks;
}

const RESERVED = new Set(['do', 'done', 'then', 'else', 'elif', 'fi', 'in']);

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t?.t === 'op' && t.v === v;
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t?.t === 'word' && t.raw === v;
  }
  private skipNewlines(): void {
    while (this.isOp('\n') || this.isOp(';')) this.i++;
  }
  private expectWord(v: string): void {
    this.skipNewlines();
    if (!this.isWord(v)) throw new ShellSyntaxError(`syntax error: expected "${v}"${this.peek() ? ` near "${this.describe()}"` : ' (end of file)'}`);
    this.i++;
  }
  private describe(): string {
    const t = this.peek();
    return !t ? 'end of file' : t.t === 'op' ? (t.v === '\n' ? 'newline' : t.v) : t.raw;
  }

  parseProgram(): Node {
    const n = this.parseList(new Set());
    if (this.peek()) throw new ShellSyntaxError(`syntax error: unexpected "${this.describe()}"`);
    return n;
  }

  /** A list up to (not including) one of the terminator words. */
  parseList(until: Set<string>): Node {
    const items: Node[] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (!t || (t.t === 'word' && until.has(t.raw))) break;
      items.push(this.parseAndOr());
      if (!this.isOp(';') && !this.isOp('\n')) break;
    }
    this.skipNewlines();
    return { type: 'seq', items };
  }

  private parseAndOr(): Node {
    let left = this.parsePipeline();
    while (this.isOp('&&') || this.isOp('||')) {
      const op = (this.toks[this.i++] as { v: string }).v;
      while (this.isOp('\n')) this.i++;
      const right = this.parsePipeline();
      left = { type: op === '&&' ? 'and' : 'or', left, right };
    }
    return left;
  }

  private parsePipeline(): Node {
    let negate = false;
    if (this.isWord('!')) {
      negate = true;
      this.i++;
    }
    const commands = [this.parseCommand()];
    while (this.isOp('|')) {
      this.i++;
      while (this.isOp('\n')) this.i++;
      commands.push(this.parseCommand());
    }
    return commands.length === 1 && !negate ? commands[0] : { type: 'pipeline', commands, negate };
  }

  private parseCommand(): Node {
    const t = this.peek();
    if (t?.t === 'word' && (t.raw === 'while' || t.raw === 'until')) {
      this.i++;
      const cond = this.parseList(new Set(['do']));
      this.expectWord('do');
      const body = this.parseList(new Set(['done']));
      this.expectWord('done');
      return { type: t.raw, cond, body };
    }
    if (t?.t === 'word' && t.raw === 'for') {
      this.i++;
      const nameTok = this.peek();
      if (nameTok?.t !== 'word' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(nameTok.raw)) throw new ShellSyntaxError('syntax error: bad for loop variable');
      this.i++;
      const items: Word[] = [];
      if (this.isWord('in')) {
        this.i++;
        while (this.peek()?.t === 'word') items.push((this.toks[this.i++] as { w: Word }).w);
      }
      this.expectWord('do');
      const body = this.parseList(new Set(['done']));
      this.expectWord('done');
      return { type: 'for', name: nameTok.raw, items, body };
    }
    if (t?.t === 'word' && t.raw === 'if') {
      this.i++;
      const branches: { cond: Node; body: Node }[] = [];
      let otherwise: Node | undefined;
      for (;;) {
        const cond = this.parseList(new Set(['then']));
        this.expectWord('then');
        const body = this.parseList(new Set(['elif', 'else', 'fi']));
        branches.push({ cond, body });
        if (this.isWord('elif')) {
          this.i++;
          continue;
        }
        if (this.isWord('else')) {
          this.i++;
          otherwise = this.parseList(new Set(['fi']));
        }
        this.expectWord('fi');
        return { type: 'if', branches, otherwise };
      }
    }
    return this.parseSimple();
  }

  private parseSimple(): Node {
    const assigns: { name: string; value: Word }[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.t === 'op') {
        if (t.v === '2>&1') redirects.push({ fd: 2, op: '>&', target: 1 });
        else if (t.v === '>&2' || t.v === '1>&2') redirects.push({ fd: 1, op: '>&', target: 2 });
        else if (['>', '>>', '<', '2>', '1>'].includes(t.v)) {
          this.i++;
          const target = this.peek();
          if (target?.t !== 'word') throw new ShellSyntaxError(`syntax error: unexpected "${this.describe()}"`);
          const fd = t.v === '<' ? 0 : t.v === '2>' ? 2 : 1;
          const op = t.v === '>>' ? '>>' : t.v === '<' ? '<' : '>';
          redirects.push({ fd, op, target: target.w });
        } else break;
        this.i++;
        continue;
      }
      if (words.length === 0 && RESERVED.has(t.raw)) break;
      const m = words.length === 0 ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(t.raw) : null;
      if (m && t.w[0] && !t.w[0].quoted && t.w[0].text.startsWith(`${m[1]}=`)) {
        const value: Word = [{ ...t.w[0], text: t.w[0].text.slice(m[1].length + 1) }, ...t.w.slice(1)];
        assigns.push({ name: m[1], value });
      } else words.push(t.w);
      this.i++;
    }
    if (words.length === 0 && assigns.length === 0 && redirects.length === 0) {
      throw new ShellSyntaxError(`syntax error: unexpected "${this.describe()}"`);
    }
    return { type: 'simple', assigns, words, redirects };
  }
}

export function parseScript(src: string): Node {
  return new Parser(tokenize(src)).parseProgram();
}
