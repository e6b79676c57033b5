/** Entry point of the `k3sdaas` executable (dist/cli.js): checks the Node version, then loads and runs the CLI. */
import { requireNode } from './node-version.js';

requireNode();
const { main } = await import('./run.js');
await main();
