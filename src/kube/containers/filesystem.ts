/** A container's in-memory filesystem: files and directories by absolute path (what `cat`, `ls` and `tar` see). */
import { posix } from 'node:path';

export interface FileEntry {
  type: 'file' | 'dir';
  data: Buffer;
  mode: number;
  mtime: number;
}

export class SimFilesystem {
  private readonly entries = new Map<string, FileEntry>();

  constructor(private readonly now: () => number = Date.now) {
    this.mkdirp('/');
  }

  static normalize(path: string, cwd = '/'): string {
    return posix.resolve(cwd, path);
  }

  stat(path: string): FileEntry | undefined {
    return this.entries.get(SimFilesystem.normalize(path));
  }

  mkdirp(path: string): void {
    let p = SimFilesystem.normalize(path);
    const chain: string[] = [];
    while (!this.entries.has(p)) {
      chain.push(p);
      if (p === '/') break;
      p = posix.dirname(p);
    }
    for (const d of chain.reverse()) this.entries.set(d, { type: 'dir', data: Buffer.alloc(0), mode: 0o755, mtime: this.now() });
  }

  write(path: string, data: string | Buffer, opts: { append?: boolean; mode?: number } = {}): void {
    const p = SimFilesystem.normalize(path);
    this.mkdirp(posix.dirname(p));
    const old = this.entries.get(p);
    if (old?.type === 'dir') throw new Error(`can't create '${path}': Is a directory`);
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    this.entries.set(p, {
      type: 'file',
      data: opts.append && old ? Buffer.concat([old.data, bytes]) : bytes,
      mode: opts.mode ?? old?.mode ?? 0o644,
      mtime: this.now(),
    });
  }

  read(path: string): Buffer {
    const e = this.stat(path);
    if (!e) throw new Error(`can't open '${path}': No such file or directory`);
    if (e.type === 'dir') throw new Error(`read error: Is a directory`);
    return e.data;
  }

  /** Direct children names of a directory, sorted. */
  list(path: string): string[] {
    const p = SimFilesystem.normalize(path);
    const prefix = p === '/' ? '/' : `${p}/`;
    const names = new Set<string>();
    for (const k of this.entries.keys()) {
      if (k !== p && k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]);
    }
    return [...names].sort();
  }

  remove(path: string, recursive = false): void {
    const p = SimFilesystem.normalize(path);
    const e = this.entries.get(p);
    if (!e) throw new Error(`can't remove '${path}': No such file or directory`);
    if (e.type === 'dir' && !recursive) throw new Error(`'${path}' is a directory`);
    for (const k of [...this.entries.keys()]) if (k === p || k.startsWith(`${p}/`)) this.entries.delete(k);
  }

  /** Every path under `path` (itself included), parents before children. */
  walk(path: string): string[] {
    const p = SimFilesystem.normalize(path);
    return [...this.entries.keys()].filter((k) => k === p || k.startsWith(p === '/' ? '/' : `${p}/`)).sort();
  }
}
