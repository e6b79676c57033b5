/**
 * localnet in its own process for the localnet CPU bench: reports its CPU time and transaction count on request,
 * so the figure is localnet's alone (the gateway and nautilus driving it run in the parent).
 */
import { startLocalnet } from '../../src/localnet/index.js';
import { silentLogger } from '../../src/core/log.js';

const net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger });
process.send!({ rpcUrl: net.rpcUrl, faucetUrl: net.faucetUrl, packageId: net.packageId });
process.on('message', (m) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send!({ cpuMs: (u.user + u.system) / 1000, transactions: net.chain.transactions.size });
  }
  if (m === 'stop') void net.stop().then(() => process.exit(0));
});
