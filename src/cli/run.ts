/** Runs the program for an argv and turns errors into readable exits. Loads only the subcommand the argv names. */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { describeCliError, exitCodeOf, reportError } from './report.js';

export async function main(argv: string[] = process.argv): Promise<void> {
  // `k3sdaas kubectl …` passes every argument to kubectl unchanged (kubectl's flags are not ours to parse).
  if (argv[2] === 'kubectl' && argv.length > 3 && !['-h', '--help'].includes(argv[3])) {
    try {
      const { runKubectlViaProxy, splitDaasArgs } = await import('./kubectl.js');
      const { globals, rest } = splitDaasArgs(argv.slice(3));
      process.exitCode = await runKubectlViaProxy(rest, globals);
    } catch (err) {
      process.stderr.write(`error: ${describeCliError(err)}\n`);
      process.exitCode = exitCodeOf(err);
    }
    return;
  }
  try {
    const program = await buildProgram(argv);
    program.exitOverride();
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed the message (and usage) to stderr; --help and --version exit 0.
      process.exitCode = err.exitCode;
      return;
    }
    reportError(err);
  }
}
