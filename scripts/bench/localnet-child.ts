/** A localnet in its own process for the memory bench (its ledger grows per transaction; kept out of the figure). */
import { startLocalnet } from '../../src/localnet/index.js';
import { silentLogger } from '../../src/core/log.js';

const net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger });
process.send!({ rpcUrl: net.rpcUrl, faucetUrl: net.faucetUrl, packageId: net.packageId });
process.on('message', (m) => {
  if (m === 'rss') process.send!({ rss: process.memoryUsage().rss });
  if (m === 'stop') void net.stop().then(() => process.exit(0));
});
