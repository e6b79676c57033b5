/** Entry point of the `k3sdaas` executable: runs the program and turns errors into readable exits. */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { describeCliError } from './context.js';
import { runKubectlViaProxy, splitDaasArgs } from './kubectl.js';

function exitCodeOf(err: unknown): number {
  const code = (err as { code?: string }).code;
  if (code === 'CONFIG_INVALID') return 2;
  return 1;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  // `k3sdaas kubectl …` passes every argument to kubectl unchanged (kubectl's flags are not ours to parse).
  if (argv[2] === 'kubectl' && argv.length > 3 && !['-h', '--help'].includes(argv[3])) {
    try {
      const { globals, rest } = splitDaasArgs(argv.slice(3));
      process.exitCode = await runKubectlViaProxy(rest, globals);
    } catch (err) {
      process.stderr.write(`error: ${describeCliError(err)}\n`);
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
    process.stderr.write(`error: ${describeCliError(err)}\n`);
    if (process.env.K3SDAAS_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = exitCodeOf(err);
  }
}

await main();
