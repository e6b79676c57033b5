/** How the CLI reports a failure: `error: <message>` on stderr, exit 2 for configuration problems, else 1. */
export function exitCodeOf(err: unknown): number {
  return (err as { code?: string } | undefined)?.code === 'CONFIG_INVALID' ? 2 : 1;
}

export function reportError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  if (process.env.K3SDAAS_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  process.exitCode = exitCodeOf(err);
}
