/**
 * The honest command set of simulated containers: each behaves as its busybox namesake for the options listed,
 * and rejects others ("unrecognized option") instead of guessing. `sh` lives in shell.ts.
 */
import { posix } from 'node:path';
import { chunks_, readAll, sleepFor, type Program, type ProgramContext } from './process.js';
import { SimFilesystem } from './filesystem.js';

function split(argv: string[], allowed: string): { flags: Set<string>; rest: string[] } {
  const flags = new Set<string>();
  const rest: string[] = [];
  let opts = true;
  for (const a of argv) {
    if (opts && a === '--') opts = false;
    else if (opts && /^-[A-Za-z0-9]+$/.test(a)) {
      for (const f of a.slice(1)) {
        if (!allowed.includes(f)) throw new Error(`unrecognized option: ${f}`);
        flags.add(f);
      }
    } else rest.push(a);
  }
  return { flags, rest };
}

const fail = (ctx: ProgramContext, name: string, msg: string, code = 1) => (ctx.err(`${name}: ${msg}\n`), code);

async function* inputs(ctx: ProgramContext, files: string[]): AsyncGenerator<Buffer> {
  if (files.length === 0 || (files.length === 1 && files[0] === '-')) {
    yield* chunks_(ctx.stdin, ctx.signal);
    return;
  }
  for (const f of files) {
    if (f === '-') yield* chunks_(ctx.stdin, ctx.signal);
    else yield ctx.fs.read(SimFilesystem.normalize(f, ctx.cwd));
  }
}

async function textOf(ctx: ProgramContext, files: string[]): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of inputs(ctx, files)) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

function unescape(s: string): { text: string; stop: boolean } {
  let stop = false;
  const text = s.replace(/\\(n|t|\\|c|0[0-7]{0,3}|r|a|b)/g, (_m, e: string) => {
    if (e === 'c') {
      stop = true;
      return '';
    }
    return { n: '\n', t: '\t', '\\': '\\', r: '\r', a: '\x07', b: '\b' }[e] ?? String.fromCharCode(parseInt(e.slice(1) || '0', 8));
  });
  return { text: stop ? text.slice(0, text.indexOf('')) : text, stop };
}

const echo: Program = async (ctx) => {
  let args = ctx.argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args[0] && /^-[neE]+$/.test(args[0])) {
    for (const f of args[0].slice(1)) {
      if (f === 'n') newline = false;
      if (f === 'e') escapes = true;
      if (f === 'E') escapes = false;
    }
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes) {
    const u = unescape(text);
    text = u.text;
    if (u.stop) newline = false;
  }
  ctx.out(text + (newline ? '\n' : ''));
  return 0;
};

const printf: Program = async (ctx) => {
  const [fmt, ...args] = ctx.argv.slice(1);
  if (fmt === undefined) return fail(ctx, 'printf', 'usage: printf FORMAT [ARGUMENT...]');
  let i = 0;
  let out = '';
  do {
    out += unescape(fmt).text.replace(/%([sdx%])/g, (_m, c: string) => {
      if (c === '%') return '%';
      const a = args[i++] ?? '';
      if (c === 'd') return String(Number.parseInt(a || '0', 10) || 0);
      if (c === 'x') return (Number.parseInt(a || '0', 10) || 0).toString(16);
      return a;
    });
  } while (i < args.length && /%[sdx]/.test(fmt));
  ctx.out(out);
  return 0;
};

const cat: Program = async (ctx) => {
  const { rest } = split(ctx.argv.slice(1), '');
  try {
    for await (const c of inputs(ctx, rest)) ctx.out(c);
  } catch (e) {
    return fail(ctx, 'cat', (e as Error).message);
  }
  return 0;
};

function lsLong(ctx: ProgramContext, path: string, name: string): string {
  const e = ctx.fs.stat(path)!;
  const perms = (e.type === 'dir' ? 'd' : '-') + [6, 3, 0].map((s) => ['r', 'w', 'x'].map((c, i) => ((e.mode >> s) & (4 >> i) ? c : '-')).join('')).join('');
  const date = new Date(e.mtime).toUTCString().slice(4, 22);
  return `${perms}    1 root     root     ${String(e.data.length).padStart(8)} ${date} ${name}`;
}

const ls: Program = async (ctx) => {
  let parsed;
  try {
    parsed = split(ctx.argv.slice(1), 'la1A');
  } catch (e) {
    return fail(ctx, 'ls', (e as Error).message);
  }
  const { flags, rest } = parsed;
  const targets = rest.length ? rest : ['.'];
  let code = 0;
  targets.forEach((t, idx) => {
    const path = SimFilesystem.normalize(t, ctx.cwd);
    const e = ctx.fs.stat(path);
    if (!e) {
      code = fail(ctx, 'ls', `${t}: No such file or directory`);
      return;
    }
    if (e.type === 'file') {
      ctx.out((flags.has('l') ? lsLong(ctx, path, t) : t) + '\n');
      return;
    }
    if (targets.length > 1) ctx.out(`${idx ? '\n' : ''}${t}:\n`);
    let names = ctx.fs.list(path);
    if (flags.has('a')) names = ['.', '..', ...names];
    names = names.filter((n) => flags.has('a') || flags.has('A') || !n.startsWith('.'));
    for (const n of names) ctx.out((flags.has('l') ? lsLong(ctx, n === '.' || n === '..' ? path : posix.join(path, n), n) : n) + '\n');
  });
  return code;
};

const env: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  if (args.length) {
    // `env VAR=x cmd`: run the command with the extra variables
    const extra: Record<string, string> = {};
    while (args[0]?.includes('=')) {
      const [k, ...v] = args.shift()!.split('=');
      extra[k] = v.join('=');
    }
    if (args.length) {
      const run = lookup(args[0]);
      if (!run) return fail(ctx, 'env', `can't execute '${args[0]}': No such file or directory`, 127);
      return run({ ...ctx, argv: args, env: { ...ctx.env, ...extra } });
    }
    Object.assign(ctx.env, extra);
  }
  for (const [k, v] of Object.entries(ctx.env)) ctx.out(`${k}=${v}\n`);
  return 0;
};

const printenv: Program = async (ctx) => {
  const names = ctx.argv.slice(1);
  if (!names.length) return env({ ...ctx, argv: ['env'] });
  let code = 0;
  for (const n of names) {
    if (n in ctx.env) ctx.out(`${ctx.env[n]}\n`);
    else code = 1;
  }
  return code;
};

/** `sleep 5`, `sleep 0.5`, `sleep 2m`, `sleep infinity` — on the cluster's clock. */
export function parseSleep(arg: string): number | undefined {
  if (arg === 'infinity' || arg === 'inf') return Number.POSITIVE_INFINITY;
  const m = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(arg);
  if (!m) return undefined;
  return Number(m[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

const sleep: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  if (!args.length) return fail(ctx, 'sleep', 'missing operand');
  let total = 0;
  for (const a of args) {
    const ms = parseSleep(a);
    if (ms === undefined) return fail(ctx, 'sleep', `invalid number '${a}'`);
    total += ms;
  }
  if (Number.isFinite(total)) await sleepFor(ctx.clock, total, ctx.signal);
  else await new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('terminated')), { once: true }));
  return 0;
};

function countLines(args: string[], fallback: number): { n: number; files: string[] } {
  let n = fallback;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-n') n = Number(args[++i]);
    else if (/^-n\d+$/.test(a)) n = Number(a.slice(2));
    else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
    else files.push(a);
  }
  return { n, files };
}

const head: Program = async (ctx) => {
  const { n, files } = countLines(ctx.argv.slice(1), 10);
  if (!Number.isInteger(n) || n < 0) return fail(ctx, 'head', 'invalid number of lines');
  let seen = 0;
  let pending = '';
  for await (const c of inputs(ctx, files)) {
    pending += c.toString('utf8');
    let nl: number;
    while (seen < n && (nl = pending.indexOf('\n')) >= 0) {
      ctx.out(pending.slice(0, nl + 1));
      pending = pending.slice(nl + 1);
      seen++;
    }
    if (seen >= n) return 0;
  }
  if (seen < n && pending) ctx.out(pending);
  return 0;
};

const tail: Program = async (ctx) => {
  const { n, files } = countLines(ctx.argv.slice(1), 10);
  if (!Number.isInteger(n) || n < 0) return fail(ctx, 'tail', 'invalid number of lines');
  const lines = (await textOf(ctx, files)).split(/(?<=\n)/);
  ctx.out(n === 0 ? '' : lines.slice(-n).join(''));
  return 0;
};

const wc: Program = async (ctx) => {
  let parsed;
  try {
    parsed = split(ctx.argv.slice(1), 'lwc');
  } catch (e) {
    return fail(ctx, 'wc', (e as Error).message);
  }
  const { flags, rest } = parsed;
  const text = await textOf(ctx, rest);
  const counts = { l: (text.match(/\n/g) ?? []).length, w: text.split(/\s+/).filter(Boolean).length, c: Buffer.byteLength(text) };
  const which = flags.size ? (['l', 'w', 'c'] as const).filter((f) => flags.has(f)) : (['l', 'w', 'c'] as const);
  const cells = which.map((f) => (which.length === 1 ? String(counts[f]) : String(counts[f]).padStart(7)));
  ctx.out(`${cells.join(' ')}${rest.length ? ` ${rest.join(' ')}` : ''}\n`);
  return 0;
};

const grep: Program = async (ctx) => {
  let parsed;
  try {
    parsed = split(ctx.argv.slice(1), 'ivcqF');
  } catch (e) {
    return fail(ctx, 'grep', (e as Error).message, 2);
  }
  const { flags, rest } = parsed;
  const [pattern, ...files] = rest;
  if (pattern === undefined) return fail(ctx, 'grep', 'usage: grep [-ivcqF] PATTERN [FILE]...', 2);
  let re: RegExp;
  try {
    re = new RegExp(flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern, flags.has('i') ? 'i' : '');
  } catch {
    return fail(ctx, 'grep', `bad regex '${pattern}'`, 2);
  }
  let matched = 0;
  let pending = '';
  const take = (line: string) => {
    if (re.test(line) !== flags.has('v')) {
      matched++;
      if (!flags.has('c') && !flags.has('q')) ctx.out(`${line}\n`);
    }
  };
  for await (const c of inputs(ctx, files)) {
    pending += c.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    lines.forEach(take);
  }
  if (pending) take(pending);
  if (flags.has('c')) ctx.out(`${matched}\n`);
  return matched ? 0 : 1;
};

const tee: Program = async (ctx) => {
  const { flags, rest } = split(ctx.argv.slice(1), 'a');
  rest.forEach((f) => !flags.has('a') && ctx.fs.write(SimFilesystem.normalize(f, ctx.cwd), ''));
  for await (const c of chunks_(ctx.stdin, ctx.signal)) {
    ctx.out(c);
    for (const f of rest) ctx.fs.write(SimFilesystem.normalize(f, ctx.cwd), c, { append: true });
  }
  return 0;
};

const mkdir: Program = async (ctx) => {
  const { flags, rest } = split(ctx.argv.slice(1), 'p');
  for (const d of rest) {
    const p = SimFilesystem.normalize(d, ctx.cwd);
    if (ctx.fs.stat(p) && !flags.has('p')) return fail(ctx, 'mkdir', `can't create directory '${d}': File exists`);
    if (!flags.has('p') && !ctx.fs.stat(posix.dirname(p))) return fail(ctx, 'mkdir', `can't create directory '${d}': No such file or directory`);
    ctx.fs.mkdirp(p);
  }
  return 0;
};

const touch: Program = async (ctx) => {
  for (const f of ctx.argv.slice(1)) {
    const p = SimFilesystem.normalize(f, ctx.cwd);
    ctx.fs.write(p, ctx.fs.stat(p)?.data ?? '');
  }
  return 0;
};

const rm: Program = async (ctx) => {
  const { flags, rest } = split(ctx.argv.slice(1), 'rfR');
  for (const f of rest) {
    try {
      ctx.fs.remove(SimFilesystem.normalize(f, ctx.cwd), flags.has('r') || flags.has('R'));
    } catch (e) {
      if (!flags.has('f')) return fail(ctx, 'rm', (e as Error).message);
    }
  }
  return 0;
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** busybox `date` in UTC (containers run with TZ unset): `Tue Dec  1 22:01:58 UTC 2026`. */
const date: Program = async (ctx) => {
  const d = new Date(ctx.clock.now());
  const time = d.toISOString().slice(11, 19);
  ctx.out(`${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${time} UTC ${d.getUTCFullYear()}\n`);
  return 0;
};

export const PROGRAMS = new Map<string, Program>([
  ['echo', echo],
  ['printf', printf],
  ['cat', cat],
  ['ls', ls],
  ['env', env],
  ['printenv', printenv],
  ['hostname', async (ctx) => (ctx.out(`${ctx.hostname}\n`), 0)],
  ['sleep', sleep],
  ['true', async () => 0],
  ['false', async () => 1],
  ['pwd', async (ctx) => (ctx.out(`${ctx.cwd}\n`), 0)],
  ['whoami', async (ctx) => (ctx.out('root\n'), 0)],
  ['uname', async (ctx) => (ctx.out(ctx.argv.includes('-a') ? `Linux ${ctx.hostname} 6.0.0 #1 SMP x86_64 GNU/Linux\n` : 'Linux\n'), 0)],
  ['date', date],
  ['head', head],
  ['tail', tail],
  ['wc', wc],
  ['grep', grep],
  ['tee', tee],
  ['mkdir', mkdir],
  ['touch', touch],
  ['rm', rm],
]);

/** The program an argv[0] names (`echo`, `/bin/echo`, `/usr/bin/env`), if the container has it. */
export function lookup(name: string): Program | undefined {
  if (name.includes('/') && !/^(\/usr)?\/s?bin\/[^/]+$/.test(name)) return undefined;
  return PROGRAMS.get(posix.basename(name));
}

export { readAll };
