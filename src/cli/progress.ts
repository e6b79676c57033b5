/**
 * Long waits show what is awaited: a spinner on stderr when it is a terminal, one line per step otherwise.
 * Never writes to stdout (which carries command output and --json).
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  /** Runs `work` while showing `label`; prints ✓ or ✗ with the elapsed time when done. */
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
}

export function createProgress(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const out = options.stream ?? process.stderr;
  const tty = Boolean(out.isTTY) && !process.env.CI;
  return {
    async step(label, work) {
      if (options.quiet) return work();
      const started = Date.now();
      let frame = 0;
      const timer = tty
        ? setInterval(() => out.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label} (${Math.round((Date.now() - started) / 1000)}s)`), 100)
        : (out.write(`… ${label}\n`), null);
      try {
        const result = await work();
        if (timer) clearInterval(timer);
        out.write(`${tty ? '\r\x1b[2K' : ''}✓ ${label} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
        return result;
      } catch (err) {
        if (timer) clearInterval(timer);
        out.write(`${tty ? '\r\x1b[2K' : ''}✗ ${label}\n`);
        throw err;
      }
    },
  };
}
