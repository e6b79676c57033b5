/**
 * `tar` for simulated containers (what `kubectl cp` runs: `tar cf - PATH` to copy out, `tar -xmf - -C DIR` to copy
 * in), over the container's in-memory filesystem with the tar-stream library: ustar archives, files and
 * directories, `c`/`x`/`t` with `f` (only `-`, the standard streams), `v`, `m`, `o`, `p` and `-C DIR`. Also `test`/`[`
 * as programs (kubectl cp runs `test -d DEST`), the shell's own builtins run outside a shell.
 */
import { posix } from 'node:path';
import { PassThrough } from 'node:stream';
import tarStream from 'tar-stream';
import { chunks_, type Program, type ProgramContext } from '../containers/process.js';
import { PROGRAMS } from '../containers/programs.js';
import { SimFilesystem } from '../containers/filesystem.js';

interface TarArgs {
  mode: 'c' | 'x' | 't';
  file?: string;
  dir?: string;
  verbose: boolean;
  paths: string[];
}

function parseTarArgs(argv: string[]): TarArgs | string {
  const args = argv.slice(1);
  let mode: TarArgs['mode'] | undefined;
  let file: string | undefined;
  let dir: string | undefined;
  let verbose = false;
  const paths: string[] = [];
  const takeFlags = (flags: string, rest: string[]): string | undefined => {
    for (const f of flags) {
      if (f === 'c' || f === 'x' || f === 't') {
        if (mode && mode !== f) return "You may not specify more than one '-Acdtrux' option";
        mode = f;
      } else if (f === 'f') {
        file = rest.shift();
        if (file === undefined) return "option requires an argument -- 'f'";
      } else if (f === 'C') {
        dir = rest.shift();
        if (dir === undefined) return "option requires an argument -- 'C'";
      } else if (f === 'v') verbose = true;
      else if (f === 'm' || f === 'o' || f === 'p') {
        // keep no mtimes / no owners / permissions: the simulated filesystem stores files as extracted
      } else return `unrecognized option: ${f}`;
    }
    return undefined;
  };
  const rest = [...args];
  // the first word may be bundled flags without a dash, as `tar cf - x`
  if (rest.length && !rest[0].startsWith('-')) {
    const err = takeFlags(rest.shift()!, rest);
    if (err) return err;
  }
  while (rest.length) {
    const a = rest.shift()!;
    if (a === '--') {
      paths.push(...rest.splice(0));
    } else if (a.startsWith('--directory=')) dir = a.slice('--directory='.length);
    else if (a.startsWith('--file=')) file = a.slice('--file='.length);
    else if (/^-[A-Za-z]+$/.test(a)) {
      const err = takeFlags(a.slice(1), rest);
      if (err) return err;
    } else paths.push(a);
  }
  if (!mode) return "You must specify one of the '-Acdtrux' options";
  if (file !== undefined && file !== '-') return `can't open '${file}': only '-' (standard input/output) is supported here`;
  return { mode, file, dir, verbose, paths };
}

async function create(ctx: ProgramContext, a: TarArgs): Promise<number> {
  if (!a.paths.length) return (ctx.err('tar: empty archive\n'), 1);
  const base = SimFilesystem.normalize(a.dir ?? '.', ctx.cwd);
  const pack = tarStream.pack();
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => ctx.out(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  let status = 0;
  let warnedSlash = false;
  for (const p of a.paths) {
    const abs = SimFilesystem.normalize(p, base);
    if (!ctx.fs.stat(abs)) {
      ctx.err(`tar: ${p}: No such file or directory\n`);
      status = 1;
      continue;
    }
    for (const path of ctx.fs.walk(abs)) {
      const e = ctx.fs.stat(path)!;
      // member names are what was given (made relative to the -C directory, leading '/' removed as GNU tar does)
      let name = posix.join(p, posix.relative(abs, path));
      if (name.startsWith('/')) {
        if (!warnedSlash) ctx.err("tar: Removing leading `/' from member names\n");
        warnedSlash = true;
        name = name.replace(/^\/+/, '');
      }
      if (!name || name === '.') name = '.';
      if (a.verbose) ctx.err(`${name}\n`);
      const header = { name: e.type === 'dir' ? `${name.replace(/\/$/, '')}/` : name, mode: e.mode, mtime: new Date(e.mtime), uid: 0, gid: 0, uname: 'root', gname: 'root' };
      if (e.type === 'dir') pack.entry({ ...header, type: 'directory' });
      else pack.entry({ ...header, type: 'file', size: e.data.length }, e.data);
    }
  }
  pack.finalize();
  await done;
  return status;
}

async function extract(ctx: ProgramContext, a: TarArgs): Promise<number> {
  const base = SimFilesystem.normalize(a.dir ?? '.', ctx.cwd);
  if (ctx.fs.stat(base)?.type !== 'dir') return (ctx.err(`tar: can't change directory to '${a.dir}': No such file or directory\n`), 1);
  const ex = tarStream.extract();
  const input = new PassThrough();
  let status = 0;
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        const rel = header.name.replace(/^\/+/, '');
        const target = SimFilesystem.normalize(rel, base);
        if (a.verbose || a.mode === 't') (a.mode === 't' ? ctx.out : ctx.err)(`${header.name}\n`);
        if (a.mode === 'x') {
          try {
            if (header.type === 'directory') ctx.fs.mkdirp(target);
            else if (header.type === 'file' || header.type === 'contiguous-file') ctx.fs.write(target, Buffer.concat(chunks), { mode: header.mode ?? 0o644 });
            else ctx.err(`tar: ${header.name}: ${header.type} members are not supported here; skipped\n`);
          } catch (err) {
            ctx.err(`tar: ${(err as Error).message}\n`);
            status = 1;
          }
        }
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  input.pipe(ex);
  for await (const c of chunks_(ctx.stdin, ctx.signal)) input.write(c);
  input.end();
  try {
    await done;
  } catch (err) {
    ctx.err(`tar: ${(err as Error).message}\n`);
    return 1;
  }
  return status;
}

export const tar: Program = async (ctx) => {
  const a = parseTarArgs(ctx.argv);
  if (typeof a === 'string') return (ctx.err(`tar: ${a}\n`), 1);
  return a.mode === 'c' ? create(ctx, a) : extract(ctx, a);
};

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** `test`/`[` as a program: the shell builtin, run by a one-command shell. */
const testProgram: Program = (ctx) => {
  const sh = PROGRAMS.get('sh');
  if (!sh) return Promise.resolve((ctx.err(`${ctx.argv[0]}: no shell\n`), 2));
  return sh({ ...ctx, argv: ['sh', '-c', ctx.argv.map(quote).join(' ')] });
};

if (!PROGRAMS.has('tar')) PROGRAMS.set('tar', tar);
if (!PROGRAMS.has('test')) PROGRAMS.set('test', testProgram);
if (!PROGRAMS.has('[')) PROGRAMS.set('[', testProgram);
