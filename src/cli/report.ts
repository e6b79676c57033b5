/** How the CLI reports a failure: `error: <message>` on stderr, exit 2 for configuration problems, else 1. Light imports only. */
export function exitCodeOf(err: unknown): number {
  return (err as { code?: string } | undefined)?.code === 'CONFIG_INVALID' ? 2 : 1;
}

export function reportError(err: unknown): void {
  process.stderr.write(`error: ${describeCliError(err)}\n`);
  if (process.env.K3SDAAS_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  process.exitCode = exitCodeOf(err);
}

/** The network URL the running command talks to (for messages about an unreachable network). */
let networkInUse: string | undefined;

export function noteNetworkInUse(url: string): void {
  networkInUse = url;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** An error as the CLI prints it: an unreachable network names its URL and says what to do. */
export function describeCliError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  let code: string | undefined;
  let fetchFailed = false;
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: unknown; message?: unknown };
    if (typeof x.code === 'string' && UNREACHABLE.has(x.code)) code = x.code;
    if (typeof x.message === 'string' && /fetch failed/.test(x.message)) fetchFailed = true;
  }
  if ((code || fetchFailed) && networkInUse) {
    return `cannot reach the Sui network at ${networkInUse}${code ? ` (${code})` : ''}: is it running? Choose another with --network or K3SDAAS_NETWORK (for a dev sandbox, start \`k3sdaas dev\` first)`;
  }
  return message;
}

