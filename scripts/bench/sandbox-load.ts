/**
 * The load the localnet benchmarks put on a sandbox: kubectl-shaped requests through the sandbox's gateway
 * submitter and tracker, mostly reads and every tenth a write (a bigger submit, a ConfigMap created), as in the
 * gas-endurance test. Resolves with how many did not get a ResponseStored.
 */
import type { Sandbox } from '../../src/dev/sandbox.js';
import type { Identity } from '../../src/gateway/submitters.js';

export async function sandboxLoad(sb: Sandbox, identity: Identity, enclaveKey: Uint8Array, o: { count: number; concurrency: number; tag: string }): Promise<number> {
  let failures = 0;
  let next = 0;
  const lane = async () => {
    while (next < o.count) {
      const i = next++;
      const http =
        i % 10 === 0
          ? { method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: [['content-type', 'application/json']] as Array<[string, string]>, body: new TextEncoder().encode(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${o.tag}-${i}` }, data: { i: String(i) } })) }
          : { method: 'GET', url: '/api/v1/namespaces/default/configmaps?limit=1', headers: [] as Array<[string, string]>, body: new Uint8Array() };
      try {
        const s = await sb.gatewaySubmitter.submit(http, identity, enclaveKey);
        const outcome = await sb.gatewayTracker.wait(s.requestId, s.deadlineMs, sb.gatewaySubmitter.janitor);
        if (outcome.$kind !== 'ResponseStored') failures++;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
  await sb.nautilus.idle();
  return failures;
}
