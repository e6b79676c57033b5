/**
 * A small terminal line discipline for `exec -t` / `attach -t` (what a pty in cooked mode does, kept honest and
 * simple): typed bytes are echoed, a line goes to the program when Enter (CR) is typed, backspace erases, Ctrl-C
 * interrupts, Ctrl-D at the start of a line ends input; output newlines become CR LF.
 */
export interface TtyHooks {
  /** Echo and translated output, toward the terminal. */
  echo(data: Buffer): void;
  /** A completed line (with its LF) toward the program's stdin. */
  line(data: Buffer): void;
  /** Ctrl-D on an empty line. */
  eof(): void;
  /** Ctrl-C. */
  interrupt(): void;
}

export class LineDiscipline {
  private pending: number[] = [];

  constructor(private readonly hooks: TtyHooks) {}

  /** Bytes the user typed. */
  input(data: Buffer): void {
    for (const b of data) {
      if (b === 0x0d || b === 0x0a) {
        this.hooks.echo(Buffer.from('\r\n'));
        this.hooks.line(Buffer.from([...this.pending, 0x0a]));
        this.pending = [];
      } else if (b === 0x7f || b === 0x08) {
        if (this.pending.length) {
          this.pending.pop();
          this.hooks.echo(Buffer.from('\b \b'));
        }
      } else if (b === 0x03) {
        this.pending = [];
        this.hooks.echo(Buffer.from('^C\r\n'));
        this.hooks.interrupt();
      } else if (b === 0x04) {
        if (this.pending.length) {
          this.hooks.line(Buffer.from(this.pending));
          this.pending = [];
        } else this.hooks.eof();
      } else if (b === 0x15) {
        // Ctrl-U: kill the line
        this.hooks.echo(Buffer.from('\b \b'.repeat(this.pending.length)));
        this.pending = [];
      } else {
        this.pending.push(b);
        // control characters echo as ^X, as stty echoctl
        this.hooks.echo(b < 0x20 && b !== 0x09 ? Buffer.from(`^${String.fromCharCode(b + 64)}`) : Buffer.from([b]));
      }
    }
  }
}

/** onlcr: LF → CR LF on the way to the terminal (an existing CR LF stays as it is). */
export function toTerminal(data: Buffer): Buffer {
  const out: number[] = [];
  let prev = -1;
  for (const b of data) {
    if (b === 0x0a && prev !== 0x0d) out.push(0x0d);
    out.push(b);
    prev = b;
  }
  return Buffer.from(out);
}
