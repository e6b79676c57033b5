/**
 * The flags the exec plugin's own entry point (./token-main.ts) understands: those `k3sdaas kubeconfig` and
 * `k3sdaas dev` write into the exec stanza, plus the global ones. Anything else is left to the full CLI.
 */
const VALUE_FLAGS: Record<string, string> = {
  '--gateway-address': 'gatewayAddress',
  '--cluster': 'cluster',
  '--seal-token': 'sealToken',
  '--config': 'config',
  '--network': 'network',
  '--log-level': 'logLevel',
};

/** The flags of `token …` when they are only ones this entry handles, each at most once; otherwise undefined. */
export function fastTokenArgs(args: string[]): Record<string, string> | undefined {
  if (args[0] !== 'token') return undefined;
  const out: Record<string, string> = {};
  for (let i = 1; i < args.length; i++) {
    const eq = args[i].indexOf('=');
    const flag = eq > 0 ? args[i].slice(0, eq) : args[i];
    const name = VALUE_FLAGS[flag];
    if (!name || name in out) return undefined;
    const value = eq > 0 ? args[i].slice(eq + 1) : args[++i];
    if (value === undefined || (eq < 0 && value.startsWith('-'))) return undefined;
    out[name] = value;
  }
  return out.gatewayAddress ? out : undefined;
}

