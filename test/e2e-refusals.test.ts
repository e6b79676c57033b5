/**
 * Issue 4, "Done when" 2, plus the stream refusals: what kubectl prints when the contract or the gateway says no.
 * Users are fresh faucet-funded keys holding SealTokens of specific roles and stakes in the sandbox cluster, whose
 * min_write_stake is the contract default (1 SUI). Every refusal must also leave the Kubernetes store untouched.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_DEFAULTS, createCluster, MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { TransactionExecutor } from '../src/core/chain/index.js';
import { objectContent } from '../src/core/chain/objects.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { credentialKubeconfig, stakedUser, rememberCap, stored, tempDir, type TestUser } from './helpers/e2e.js';
import { kubectlRunner, writeKubeconfig, type KubectlResult } from './helpers/kubectl.js';
import { credentialToToken, signCredential } from '../src/core/credential.js';

let sb: Sandbox;
let viewer: TestUser;
let poorEditor: TestUser;
let editor: TestUser;
const manifests = tempDir('e2e-refusals');
const warmCache = tempDir('e2e-refusals-kcache');

/**
 * kubectl as `user` with a credential signed for the sandbox gateway. By default with a fresh discovery cache (a
 * first-time user: the refusal hits discovery first); `warm` shares a cache an earlier successful run filled.
 */
async function as(
  user: TestUser,
  args: string[],
  o: { expiresMs?: number; clusterId?: string; tokenId?: string; warm?: boolean } = {},
): Promise<KubectlResult & { ms: number }> {
  const kubeconfig = await credentialKubeconfig(sb, { keypair: user.keypair, tokenId: o.tokenId ?? user.tokenId }, o);
  const cacheDir = o.warm ? warmCache : tempDir('kcache');
  const started = performance.now();
  const r = await new Promise<KubectlResult>((resolve) =>
    execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { timeout: 45_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
  return { ...r, ms: performance.now() - started };
}

function manifest(name: string, kind = 'ConfigMap'): string {
  const file = join(manifests, `${name}.json`);
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind, metadata: { name, namespace: 'default' }, data: { a: 'b' } }));
  return file;
}

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  [viewer, poorEditor, editor] = await Promise.all([
    stakedUser(sb, 'viewer', 2n * MIST_PER_SUI),
    stakedUser(sb, 'editor', CLUSTER_DEFAULTS.minWriteStake / 2n),
    stakedUser(sb, 'editor', 2n * MIST_PER_SUI),
  ]);
}, 90_000);
afterAll(async () => sb?.stop());

describe('refusals from the contract, printed by kubectl', () => {
  it('a viewer can read but a write gets 403 with the contract reason', async () => {
    const read = await as(viewer, ['get', 'configmaps']);
    expect(read.code, read.stderr).toBe(0);
    const file = manifest('by-viewer');
    const r = await as(viewer, ['create', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error from server (Forbidden): error when creating "${file}": k3sdaas: your SealToken's role does not allow writes (viewer)`);
    // The refusal is part of the audit trail: the failed submit is on chain with the contract's abort.
    const digest = /k3sdaas refusal recorded on chain in transaction (\w+)/.exec(r.stderr)?.[1];
    expect(digest, r.stderr).toBeTruthy();
    const recorded = await sb.client.core.getTransaction({ digest: digest!, include: { effects: true } });
    const failed = recorded.FailedTransaction ?? recorded.Transaction!;
    expect(failed.status.success).toBe(false);
    expect(JSON.stringify(failed.status.error)).toContain('"abortCode":"5"');
    expect(r.stderr).toContain('(contract access::ERoleCannotWrite)');
    // kubectl's generator commands word it their own way, with the same reason.
    const gen = await as(viewer, ['create', 'configmap', 'by-viewer', '--from-literal=a=b']);
    expect(gen.code).toBe(1);
    expect(gen.stderr).toContain("error: failed to create configmap: k3sdaas: your SealToken's role does not allow writes (viewer)");
    expect(stored(sb, 'ConfigMap', 'default', 'by-viewer')).toBeUndefined();
  });

  it('a viewer cannot read secrets', async () => {
    const r = await as(viewer, ['get', 'secrets']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (Forbidden): k3sdaas: ');
    expect(r.stderr).toContain('(contract access::ERoleCannotReadSecrets)');
  });

  it('an editor whose stake is below min_write_stake gets 403 on writes, reads still work', async () => {
    const read = await as(poorEditor, ['get', 'namespaces']);
    expect(read.code, read.stderr).toBe(0);
    const file = manifest('by-poor-editor');
    const r = await as(poorEditor, ['apply', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error from server (Forbidden): error when creating "${file}": k3sdaas: writes need more stake on your SealToken than it holds`);
    expect(r.stderr).toContain('(contract access::EInsufficientWriteStake)');
    expect(stored(sb, 'ConfigMap', 'default', 'by-poor-editor')).toBeUndefined();
  });

  it('an editor with enough stake writes namespaced objects but not cluster-scoped ones', async () => {
    const ok = await as(editor, ['create', 'configmap', 'by-editor', '--from-literal=a=b'], { warm: true });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('configmap/by-editor created\n');
    expect(stored(sb, 'ConfigMap', 'default', 'by-editor')?.data).toEqual({ a: 'b' });
    const r = await as(editor, ['create', 'namespace', 'by-editor']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error from server (Forbidden): k3sdaas: your SealToken's role (editor) allows writes only to namespaced resources");
    expect(r.stderr).toContain('(contract access::ERoleCannotWriteClusterScoped)');
    expect(stored(sb, 'Namespace', undefined, 'by-editor')).toBeUndefined();
    // Deleting a Namespace names it in the path; it is still a cluster-scoped object.
    const del = await as(editor, ['delete', 'namespace', 'kube-public'], { warm: true });
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('(contract access::ERoleCannotWriteClusterScoped)');
    expect(stored(sb, 'Namespace', undefined, 'kube-public')).toBeDefined();
  });

  it('an expired credential gets 401', async () => {
    // Cold discovery cache: client-go reads /api raw and prints its generic 401 text (any apiserver does the same).
    const cold = await as(editor, ['get', 'pods'], { expiresMs: Date.now() - 1_000 });
    expect(cold.code).toBe(1);
    expect(cold.stderr).toContain('error: You must be logged in to the server (the server has asked for the client to provide credentials)');
    // Warm cache: the request itself is refused and kubectl prints the gateway's reason.
    const fill = await as(editor, ['get', 'pods'], { warm: true });
    expect(fill.code, fill.stderr).toBe(0);
    const warm = await as(editor, ['get', 'pods'], { expiresMs: Date.now() - 1_000, warm: true });
    expect(warm.code).toBe(1);
    expect(warm.stderr).toMatch(/^error: You must be logged in to the server \(k3sdaas: bad credential: credential expired at \d+/m);
  });

  it('a credential naming a SealToken of another cluster gets 403', async () => {
    const other = await createCluster(new TransactionExecutor(sb.client, sb.operator), sb.packageId, { name: 'other', apiUrl: 'https://other:6443', debug: true });
    rememberCap(other.clusterId, other.capId);
    const stranger = await stakedUser(sb, 'admin', 2n * MIST_PER_SUI, other.clusterId);
    const r = await as(stranger, ['get', 'pods']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (Forbidden): k3sdaas: the SealToken named by the credential is not staked in this cluster');
  });

  it("a credential naming someone else's SealToken gets 403", async () => {
    const r = await as(viewer, ['get', 'pods'], { tokenId: editor.tokenId });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (Forbidden): k3sdaas: the credential was not signed by the owner of its SealToken');
  });
});

describe('exec is a write on chain (create on pods/exec; sessions: e2e-streams-exec)', () => {
  beforeAll(async () => {
    const r = await as(editor, ['run', 'p1', '--image=nginx:1.27', '--restart=Never']);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it("a viewer's exec is refused by the contract with its reason; an editor's runs", async () => {
    const r = await as(viewer, ['exec', 'p1', '--', 'ls']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error from server (Forbidden): k3sdaas: your SealToken's role does not allow writes (viewer)");
    expect(r.stderr).toContain('(contract access::ERoleCannotWrite)');
    expect(r.ms).toBeLessThan(30_000);
    const ok = await as(editor, ['exec', 'p1', '--', 'echo', 'ok'], { warm: true });
    expect(ok.stdout, ok.stderr).toBe('ok\n');
  }, 60_000);
});

describe('no answer before the deadline', () => {
  let quick: Sandbox;
  afterAll(async () => quick?.stop());

  it('504 when nautilus is down: expired on chain at the deadline, printed as a Timeout, within the cluster request timeout', async () => {
    quick = await startSandbox({ checkpointMs: 0, requestTimeoutMs: 3_000n });
    const signed = await signCredential(quick.user.keypair, { clusterId: quick.clusterId, gateway: quick.gatewayAddress, tokenId: quick.user.tokenId, expiresMs: BigInt(Date.now() + 600_000) });
    const kubectl = kubectlRunner(writeKubeconfig(quick.gatewayUrl, quick.tls.caPem, { token: credentialToToken(signed) }));
    // Discovery while nautilus is up (a cold cache would time out on /api, where kubectl prints its generic text).
    const warm = await kubectl(['get', 'configmaps']);
    expect(warm.code, warm.stderr).toBe(0);
    await quick.nautilus.stop();
    const started = performance.now();
    const r = await kubectl(['get', 'pods'], undefined, 60_000);
    expect(r.code).toBe(1);
    // The gateway's janitor expires the unanswered request at its deadline; the RequestExpired tells kubectl.
    expect(r.stderr).toMatch(/Error from server \(Timeout\): k3sdaas: on-chain request 0x[0-9a-f]{64} expired without an answer/);
    expect(performance.now() - started).toBeLessThan(15_000);
    // Storage reclaimed: the Request object is gone.
    const requestId = /on-chain request (0x[0-9a-f]{64})/.exec(r.stderr)![1];
    expect(await objectContent(quick.client, requestId)).toBeNull();
  }, 60_000);
});
