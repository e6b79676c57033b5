/**
 * kubectl-proxy can keep each request's reply key (`--save-reply-keys`), so the requester can later have
 * `k3sdaas verify --reply-key` open the answer on chain and check it against the digest the enclave signed.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { serveKubeFrontend, type Served } from '../src/gateway/serve.js';
import { ProxySubmitter, newProxySecret } from '../src/gateway/submitters.js';
import { TransactionExecutor } from '../src/core/chain/index.js';
import { collectEvidence, verifyEvidence } from '../src/core/verify/index.js';
import { kubectlRunner, writeKubeconfig } from './helpers/kubectl.js';

let sb: Sandbox;
let proxy: Served;
const keys = mkdtempSync(join(tmpdir(), 'k3sdaas-reply-keys-'));
let kubectl: ReturnType<typeof kubectlRunner>;

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  const secret = newProxySecret();
  proxy = await serveKubeFrontend({
    client: sb.client,
    packageId: sb.packageId,
    clusterId: sb.clusterId,
    submitter: new ProxySubmitter({ executor: new TransactionExecutor(sb.client, sb.user.keypair), packageId: sb.packageId, clusterId: sb.clusterId, tokenId: sb.user.tokenId, secret }),
    host: '127.0.0.1',
    port: 0,
    onReplyKey: (id, key) => writeFileSync(join(keys, `${id}.key`), Buffer.from(key).toString('hex')),
  });
  kubectl = kubectlRunner(writeKubeconfig(proxy.url, proxy.tls.caPem, { token: secret }));
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await sb?.stop();
});

describe('verify with the saved reply key', () => {
  it('opens the answer and checks its body against the signed digest; a wrong key fails', async () => {
    const r = await kubectl(['create', 'configmap', 'receipt', '--from-literal=k=v']);
    expect(r.code, r.stderr).toBe(0);
    const id = /k3sdaas request (0x[0-9a-f]{64})/.exec(r.stderr)![1];
    expect(readdirSync(keys)).toContain(`${id}.key`);
    const secret = new Uint8Array(Buffer.from(readFileSync(join(keys, `${id}.key`), 'utf8'), 'hex'));
    const evidence = await collectEvidence({ client: sb.client, packageId: sb.packageId, requestId: id });
    const good = await verifyEvidence(evidence, { replySecret: secret });
    expect(good.status).toBe('genuine');
    expect(good.checks.find((c) => c.name === 'response-body')?.result).toBe('pass');
    const wrong = await verifyEvidence(evidence, { replySecret: new Uint8Array(32).fill(7) });
    expect(wrong.status).not.toBe('genuine');
  }, 60_000);
});
