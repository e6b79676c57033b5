/**
 * Entry point of the exec credential plugin (dist/token.js; bin/k3sdaas runs it for `k3sdaas token …`). kubectl
 * starts it on every command, so it parses the few flags the kubeconfig passes by hand and loads only the config and
 * the credential cache; signing code is loaded on a cache miss. Anything else (--help, --ttl, an unknown or missing
 * flag) goes to the full CLI, which parses and reports exactly as `k3sdaas token` always does.
 */
import { requireNode } from './node-version.js';
import { fastTokenArgs } from './token-args.js';

requireNode();

const flags = fastTokenArgs(process.argv.slice(2));
if (!flags) {
  const { main } = await import('./run.js');
  await main();
} else {
  const [{ loadConfig }, { execCredential, DEFAULT_TTL_MS }, { reportError }] = await Promise.all([
    import('../core/config/load.js'),
    import('./token-credential.js'),
    import('./report.js'),
  ]);
  try {
    const config = loadConfig({ file: flags.config, flags: { network: flags.network, logLevel: flags.logLevel, clusterId: flags.cluster } });
    const out = await execCredential(config, { gatewayAddress: flags.gatewayAddress, sealToken: flags.sealToken, ttlMs: DEFAULT_TTL_MS });
    process.stdout.write(JSON.stringify(out) + '\n');
  } catch (err) {
    reportError(err);
  }
}
