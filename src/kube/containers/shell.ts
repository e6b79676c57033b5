/** The simulated `sh`: runs parsed scripts (shell-parse.ts) over the programs of programs.ts. */
import { PassThrough } from 'node:stream';
import { SimFilesystem } from './filesystem.js';
import { chunks_, ExitStatus, type Program, type ProgramContext } from './process.js';
import { lookup, PROGRAMS } from './programs.js';
import { parseScript, ShellSyntaxError, type Node, type Redirect, type Word } from './shell-parse.js';

interface ShellState {
  vars: Record<string, string>;
  positional: string[];
  status: number;
  errexit: boolean;
  xtrace: boolean;
  name: string;
}

function expandWord(w: Word, st: ShellState): string {
  return w
    .map((p) => {
      if (!p.expand) return p.text;
      return p.text
        .replace(/\$(\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|\?|#|\$|[0-9])/g, (m, _a, braced: string, hasDefault: string, def: string, plain: string) => {
          if (m === '$?') return String(st.status);
          if (m === '$#') return String(st.positional.length);
          if (m === '$$') return '1';
          if (/^\$[0-9]$/.test(m)) return m === '$0' ? st.name : (st.positional[Number(m[1]) - 1] ?? '');
          const name = braced ?? plain;
          const v = st.vars[name];
          return hasDefault && !v ? def : (v ?? '');
        })
        .replace(/\\\$/g, '$');
    })
    .join('');
}

/** Unquoted expansions split on whitespace (the common case of IFS); quoted words stay whole. */
function expandArgs(words: Word[], st: ShellState): string[] {
  const out: string[] = [];
  for (const w of words) {
    const fullyQuoted = w.every((p) => p.quoted);
    const hasUnquotedVar = w.some((p) => !p.quoted && p.expand && p.text.includes('$'));
    const text = expandWord(w, st);
    if (!fullyQuoted && hasUnquotedVar) out.push(...text.split(/\s+/).filter(Boolean));
    else out.push(text);
  }
  return out;
}

/** `test` / `[`: the file, string and integer tests scripts use. */
function test(args: string[]): boolean | string {
  if (args[0] === '!') {
    const r = test(args.slice(1));
    return typeof r === 'string' ? r : !r;
  }
  if (args.length === 0) return false;
  if (args.length === 1) return args[0] !== '';
  if (args.length === 2) {
    const [op, a] = args;
    if (op === '-z') return a === '';
    if (op === '-n') return a !== '';
    return `${op}: unknown operand`;
  }
  if (args.length === 3) {
    const [a, op, b] = args;
    if (op === '=' || op === '==') return a === b;
    if (op === '!=') return a !== b;
    const ints = { '-eq': (x: number, y: number) => x === y, '-ne': (x: number, y: number) => x !== y, '-lt': (x: number, y: number) => x < y, '-le': (x: number, y: number) => x <= y, '-gt': (x: number, y: number) => x > y, '-ge': (x: number, y: number) => x >= y } as const;
    const f = ints[op as keyof typeof ints];
    if (f) {
      if (!/^-?\d+$/.test(a) || !/^-?\d+$/.test(b)) return `${!/^-?\d+$/.test(a) ? a : b}: bad number`;
      return f(Number(a), Number(b));
    }
  }
  return 'syntax error';
}

async function runNode(node: Node, ctx: ProgramContext, st: ShellState): Promise<number> {
  if (ctx.signal.aborted) throw new ExitStatus(143);
  switch (node.type) {
    case 'seq': {
      let code = st.status;
      for (const item of node.items) {
        code = await runNode(item, ctx, st);
        st.status = code;
        if (st.errexit && code !== 0 && item.type !== 'and' && item.type !== 'or') throw new ExitStatus(code);
      }
      return code;
    }
    case 'and': {
      const l = await runNode(node.left, ctx, { ...st, errexit: false, vars: st.vars }).then((c) => (st.status = c));
      return l === 0 ? runNode(node.right, ctx, st) : l;
    }
    case 'or': {
      const l = await runNode(node.left, ctx, st).then((c) => (st.status = c));
      return l !== 0 ? runNode(node.right, ctx, st) : l;
    }
    case 'while':
    case 'until': {
      let code = 0;
      for (;;) {
        const c = await runNode(node.cond, ctx, { ...st, errexit: false });
        if ((c === 0) !== (node.type === 'while')) break;
        code = await runNode(node.body, ctx, st);
        // a busy loop without a sleep must still yield to the event loop (and to signals)
        await new Promise<void>((r) => setImmediate(r));
        if (ctx.signal.aborted) throw new ExitStatus(143);
      }
      return code;
    }
    case 'for': {
      let code = 0;
      const items = node.items.length ? expandArgs(node.items, st) : st.positional;
      for (const v of items) {
        st.vars[node.name] = v;
        code = await runNode(node.body, ctx, st);
      }
      return code;
    }
    case 'if': {
      for (const b of node.branches) {
        if ((await runNode(b.cond, ctx, { ...st, errexit: false })) === 0) return runNode(b.body, ctx, st);
      }
      return node.otherwise ? runNode(node.otherwise, ctx, st) : 0;
    }
    case 'pipeline': {
      const n = node.commands.length;
      const pipes = Array.from({ length: n - 1 }, () => new PassThrough());
      const runs = node.commands.map((cmd, i) => {
        const stdin = i === 0 ? ctx.stdin : pipes[i - 1];
        const out = i === n - 1 ? ctx.out : (d: string | Buffer) => pipes[i].write(d);
        const stage: ProgramContext = { ...ctx, stdin, out };
        return runNode(cmd, stage, { ...st, vars: { ...st.vars } })
          .catch((e) => (e instanceof ExitStatus ? e.code : (ctx.err(`${(e as Error).message}\n`), 1)))
          .finally(() => {
            if (i < n - 1) pipes[i].end();
            // a reader that stopped early (head) must not block the writer
            if (i > 0) pipes[i - 1].resume();
          });
      });
      const codes = await Promise.all(runs);
      const last = codes[n - 1];
      return node.negate ? (last === 0 ? 1 : 0) : last;
    }
    case 'simple':
      return runSimple(node, ctx, st);
  }
}

async function runSimple(node: Extract<Node, { type: 'simple' }>, ctx: ProgramContext, st: ShellState): Promise<number> {
  const argv = expandArgs(node.words, st);
  const assigned = Object.fromEntries(node.assigns.map((a) => [a.name, expandWord(a.value, st)]));
  if (argv.length === 0) {
    Object.assign(st.vars, assigned);
    return 0;
  }
  if (st.xtrace) ctx.err(`+ ${argv.join(' ')}\n`);
  const io = redirected(ctx, node.redirects, st);
  if (typeof io === 'string') {
    ctx.err(`${st.name}: ${io}\n`);
    return 1;
  }
  const [cmd, ...args] = argv;
  const run = async (): Promise<number> => {
    switch (cmd) {
      case 'exit':
        throw new ExitStatus(args[0] === undefined ? st.status : Number(args[0]) & 255);
      case 'export':
        for (const a of args) {
          const [k, ...v] = a.split('=');
          if (v.length) st.vars[k] = v.join('=');
        }
        return 0;
      case 'unset':
        for (const a of args) delete st.vars[a];
        return 0;
      case 'cd': {
        const target = SimFilesystem.normalize(args[0] ?? st.vars.HOME ?? '/', st.vars.PWD ?? ctx.cwd);
        if (ctx.fs.stat(target)?.type !== 'dir') {
          io.err(`${st.name}: cd: can't cd to ${args[0]}: No such file or directory\n`);
          return 2;
        }
        st.vars.PWD = target;
        return 0;
      }
      case 'set':
        for (const a of args) {
          if (!/^[-+][ex]+$/.test(a)) {
            io.err(`${st.name}: set: illegal option ${a}\n`);
            return 2;
          }
          for (const f of a.slice(1)) {
            if (f === 'e') st.errexit = a[0] === '-';
            if (f === 'x') st.xtrace = a[0] === '-';
          }
        }
        return 0;
      case ':':
        return 0;
      case 'read': {
        const name = args[0] ?? 'REPLY';
        let line = '';
        for await (const c of chunks_(io.stdin, io.signal)) {
          line += c.toString('utf8');
          if (line.includes('\n')) break;
        }
        if (!line) return 1;
        st.vars[name] = line.split('\n')[0];
        return 0;
      }
      case 'test':
      case '[': {
        const targs = cmd === '[' ? args.slice(0, -1) : args;
        if (cmd === '[' && args[args.length - 1] !== ']') {
          io.err(`${st.name}: [: missing ]\n`);
          return 2;
        }
        const r = fileTest(targs, io) ?? test(targs);
        if (typeof r === 'string') {
          io.err(`${st.name}: ${cmd}: ${r}\n`);
          return 2;
        }
        return r ? 0 : 1;
      }
    }
    const program = lookup(cmd);
    if (!program) {
      io.err(`${st.name}: ${cmd}: not found\n`);
      return 127;
    }
    return program({ ...io, argv, env: { ...st.vars, ...assigned }, cwd: st.vars.PWD ?? ctx.cwd });
  };
  try {
    return await run();
  } finally {
    io.flush();
  }
}

function fileTest(args: string[], ctx: ProgramContext): boolean | undefined {
  if (args.length !== 2 || !/^-[fde]$/.test(args[0])) return undefined;
  const e = ctx.fs.stat(SimFilesystem.normalize(args[1], ctx.cwd));
  return args[0] === '-e' ? !!e : args[0] === '-f' ? e?.type === 'file' : e?.type === 'dir';
}

/** Applies redirections; output to files is buffered and written when the command ends. */
function redirected(ctx: ProgramContext, redirects: Redirect[], st: ShellState): (ProgramContext & { flush(): void }) | string {
  const sinks: Record<1 | 2, (d: string | Buffer) => void> = { 1: ctx.out, 2: ctx.err };
  const files: { path: string; append: boolean; chunks: Buffer[] }[] = [];
  let stdin = ctx.stdin;
  for (const r of redirects) {
    if (r.op === '>&') {
      sinks[r.fd as 1 | 2] = sinks[r.target as 1 | 2];
      continue;
    }
    const path = SimFilesystem.normalize(expandWord(r.target as Word, st), st.vars.PWD ?? ctx.cwd);
    if (r.op === '<') {
      const e = ctx.fs.stat(path);
      if (!e || e.type !== 'file') return `can't open '${expandWord(r.target as Word, st)}': No such file or directory`;
      const p = new PassThrough();
      p.end(e.data);
      stdin = p;
      continue;
    }
    const f = { path, append: r.op === '>>', chunks: [] as Buffer[] };
    files.push(f);
    ctx.fs.write(path, r.op === '>>' ? (ctx.fs.stat(path)?.data ?? '') : '');
    sinks[r.fd as 1 | 2] = (d) => f.chunks.push(Buffer.isBuffer(d) ? d : Buffer.from(d));
  }
  return {
    ...ctx,
    stdin,
    out: sinks[1],
    err: sinks[2],
    flush() {
      for (const f of files) ctx.fs.write(f.path, Buffer.concat(f.chunks), { append: true });
    },
  };
}

/** `sh -c SCRIPT [NAME ARGS…]`, `sh FILE`, or `sh` reading commands from stdin line by line (attach, exec -i). */
export const sh: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  const name = ctx.argv[0].split('/').pop() ?? 'sh';
  const st: ShellState = { vars: { ...ctx.env }, positional: [], status: 0, errexit: false, xtrace: false, name };
  while (args[0] && /^-[ex]+$/.test(args[0])) {
    for (const f of args.shift()!.slice(1)) {
      if (f === 'e') st.errexit = true;
      if (f === 'x') st.xtrace = true;
    }
  }
  const exec = async (script: string): Promise<number> => {
    let tree: Node;
    try {
      tree = parseScript(script);
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        ctx.err(`${name}: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    st.status = await runNode(tree, ctx, st);
    return st.status;
  };
  if (args[0] === '-c') {
    if (args[1] === undefined) {
      ctx.err(`${name}: -c requires an argument\n`);
      return 2;
    }
    if (args[2] !== undefined) st.name = args[2];
    st.positional = args.slice(3);
    return exec(args[1]);
  }
  if (args[0] && !args[0].startsWith('-')) {
    const file = ctx.fs.stat(SimFilesystem.normalize(args[0], ctx.cwd));
    if (!file || file.type !== 'file') {
      ctx.err(`${name}: can't open '${args[0]}': No such file or directory\n`);
      return 2;
    }
    st.positional = args.slice(1);
    return exec(file.data.toString('utf8'));
  }
  // interactive: one line at a time as stdin delivers them
  const prompt = () => ctx.tty && ctx.out('/ # ');
  prompt();
  let pending = '';
  for await (const c of chunks_(ctx.stdin, ctx.signal)) {
    pending += c.toString('utf8').replace(/\r\n?/g, '\n');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      // with a tty, the terminal's line discipline (src/kube/streams/tty.ts) has echoed what was typed
      await exec(line);
      prompt();
    }
  }
  if (pending.trim()) await exec(pending);
  return st.status;
};

for (const n of ['sh', 'ash', 'bash']) PROGRAMS.set(n, sh);
