/** scripts/bench.ts runs the embedded Kubernetes API in its own process (so its CPU is counted apart): this is it. */
import { startKubeApi } from '../src/kube/index.js';

const kube = await startKubeApi({ port: 0 });
process.stdout.write(JSON.stringify({ url: kube.url, pid: process.pid }) + '\n');
process.on('SIGTERM', () => void kube.close().then(() => process.exit(0)));
