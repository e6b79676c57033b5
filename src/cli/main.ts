/** Entry point of the `k3sdaas` executable: runs the program and turns errors into readable exits. */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { runKubectlViaProxy } from './kubectl.js';

function exitCodeOf(err: unknown): number {
  const code = (err as { code?: string }).code;
  if (code === 'CONFIG_INVALID') return 2;
  return 1;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  // `k3sdaas kubectl …` passes every argument to kubectl unchanged (kubectl's flags are not ours to parse).
  if (argv[2] === 'kubectl' && argv.length > 3 && !['-h', '--help'].includes(argv[3])) {
    try {
      process.exitCode = await runKubectlViaProxy(argv.slice(3));
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exitCode = exitCodeOf(err);
    }
    return;
  }
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed the message (and usage) to stderr; --help and --version exit 0.
      process.exitCode = err.exitCode;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    if (process.env.K3SDAAS_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = exitCodeOf(err);
  }
}

await main();
