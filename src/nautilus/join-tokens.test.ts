import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEV_ACCOUNTS } from '../localnet/index.js';
import { MIST_PER_SUI } from '../core/cluster-admin.js';
import { TransactionExecutor } from '../core/chain/index.js';
import { generateEncryptionKey } from '../core/crypto/index.js';
import { openJoinToken, readWorker, registerWorker } from '../worker/index.js';
import { FIXTURES, startWorkerTestbed, testbedIssuer, type WorkerTestbed } from '../worker/testing.js';
import {
  commandTokenSource,
  fileTokenSource,
  generatedTokenSource,
  JoinTokenIssuer,
  k3sTokenSource,
  tokenSourceFromSpec,
  type JoinTokenEvent,
  type TokenSource,
} from './join-tokens.js';

let tb: WorkerTestbed;
beforeAll(async () => {
  tb = await startWorkerTestbed({ heartbeatTimeoutMs: 1_500n });
});
afterAll(async () => tb?.stop());

function issuer(source: TokenSource, events: JoinTokenEvent[], extra: { markInactive?: boolean; inactivityCheckMs?: number } = {}) {
  return testbedIssuer(tb, source, events, { markInactive: extra.markInactive ?? false, inactivityCheckMs: extra.inactivityCheckMs ?? 300 });
}

async function register(account: number, nodeName: string) {
  const key = generateEncryptionKey();
  const executor = new TransactionExecutor(tb.client, DEV_ACCOUNTS[account].keypair);
  const ev = await registerWorker(executor, tb.packageId, { clusterId: tb.clusterId, stake: 10n * MIST_PER_SUI, nodeName, encryptionKey: key.publicKey });
  return { key, ev, executor };
}

describe('JoinTokenIssuer', () => {
  it('seals a fresh token to the worker key and sets it on chain, enclave-signed', async () => {
    const issued: string[] = [];
    const base = generatedTokenSource();
    const source: TokenSource = { name: 'recorded', token: async (r) => (issued.push(await base.token(r)), issued.at(-1)!) };
    const events: JoinTokenEvent[] = [];
    const it1 = issuer(source, events);
    await it1.start();
    try {
      const { key, ev } = await register(1, 'node-a');
      await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('issued'), { timeout: 10_000 });
      const worker = (await readWorker(tb.client, ev.workerId))!;
      expect(worker.joinToken.length).toBeGreaterThan(0);
      expect(openJoinToken(worker, key)).toBe(issued[0]);
      expect(issued[0]).toMatch(/^K10[0-9a-f]{64}::[a-z0-9]{6}\.[a-z0-9]{16}$/);
      // Another key cannot open it.
      expect(() => openJoinToken({ ...worker, encryptionKey: generateEncryptionKey().publicKey }, key)).toThrow(/wrong worker key file/);
      expect(it1.workers.get(ev.workerId)).toBe('node-a');
    } finally {
      await it1.stop();
    }
  });

  it("refuses the server's own node-token and leaves the worker without one", async () => {
    const events: JoinTokenEvent[] = [];
    const it2 = issuer(commandTokenSource('sh', ['-c', 'echo K10abc::server:0123456789abcdef']), events);
    await it2.start();
    try {
      const { ev } = await register(2, 'node-b');
      await vi.waitFor(() => expect(events.find((e) => e.type === 'issue-failed' && e.workerId === ev.workerId)).toBeDefined(), { timeout: 10_000 });
      const failed = events.find((e) => e.type === 'issue-failed') as Extract<JoinTokenEvent, { type: 'issue-failed' }>;
      expect(failed.error.message).toMatch(/grants full admin/);
      expect((await readWorker(tb.client, ev.workerId))!.joinToken.length).toBe(0);
    } finally {
      await it2.stop();
    }
  });

  it('marks a worker whose heartbeats stopped inactive', async () => {
    const events: JoinTokenEvent[] = [];
    const it3 = issuer(generatedTokenSource(), events, { markInactive: true, inactivityCheckMs: 250 });
    await it3.start();
    try {
      const { ev } = await register(3, 'node-c');
      await vi.waitFor(() => expect(events.find((e) => e.type === 'inactive' && e.workerId === ev.workerId)).toBeDefined(), { timeout: 15_000 });
      const worker = (await readWorker(tb.client, ev.workerId))!;
      expect(worker.active).toBe(false);
      expect(it3.workers.has(ev.workerId)).toBe(false);
    } finally {
      await it3.stop();
    }
  });
});

describe('token sources', () => {
  it('k3s token create on the supervised server, with a ttl and the node in the description', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-k3s-'));
    const source = k3sTokenSource({ k3sBin: join(FIXTURES, 'k3s'), ttl: '30m', env: { ...process.env, FAKE_K3S_DIR: dir } });
    const token = await source.token({ workerId: '0x1', nodeName: 'node-x', owner: '0x2' });
    expect(token).toMatch(/^K10[0-9a-f]+::fk3s01\.[0-9a-f]{16}$/);
    const args = readFileSync(join(dir, 'token-create.args'), 'utf8').trim().split('\n');
    expect(args.slice(0, 4)).toEqual(['token', 'create', '--ttl', '30m']);
    expect(args[5]).toContain('node-x');
  });

  it('a file, but never the server node-token path; empty output is an error', async () => {
    expect(() => fileTokenSource('/var/lib/rancher/k3s/server/node-token')).toThrow(/grants full admin/);
    expect(() => fileTokenSource('/var/lib/rancher/k3s/server/token')).toThrow(/grants full admin/);
    const dir = mkdtempSync(join(tmpdir(), 'tok-'));
    writeFileSync(join(dir, 'agent-token'), 'K10aa::agent.secretsecret\n');
    expect(await fileTokenSource(join(dir, 'agent-token')).token({ workerId: '0x1', nodeName: 'n', owner: '0x2' })).toBe('K10aa::agent.secretsecret');
    await expect(commandTokenSource('true').token({ workerId: '0x1', nodeName: 'n', owner: '0x2' })).rejects.toThrow(/did not produce a token/);
  });

  it('a command gets the worker identity in its environment', async () => {
    const token = await commandTokenSource('sh', ['-c', 'echo "tok-$K3SDAAS_NODE_NAME-$K3SDAAS_WORKER_ID"']).token({ workerId: '0xabc', nodeName: 'node-y', owner: '0x2' });
    expect(token).toBe('tok-node-y-0xabc');
  });
});

describe('tokenSourceFromSpec', () => {
  it('parses the source a flag or config names', async () => {
    expect(tokenSourceFromSpec('k3s').name).toBe('k3s token create');
    expect(tokenSourceFromSpec('generated').name).toBe('generated');
    expect(tokenSourceFromSpec('file:/etc/k3sdaas/agent-token').name).toBe('file /etc/k3sdaas/agent-token');
    const cmd = tokenSourceFromSpec('command:sh -c echo_K10abc::x.y');
    expect(cmd.name).toBe('command sh');
    const dir = mkdtempSync(join(tmpdir(), 'fake-k3s-'));
    const k3s = tokenSourceFromSpec(`k3s:${join(FIXTURES, 'k3s')}`, { ttl: '10m', env: { ...process.env, FAKE_K3S_DIR: dir } });
    expect(await k3s.token({ workerId: '0x1', nodeName: 'n', owner: '0x2' })).toMatch(/::fk3s01\./);
    for (const bad of ['', 'magic', 'file:', 'command:']) expect(() => tokenSourceFromSpec(bad)).toThrow(/invalid join token source/);
    expect(() => tokenSourceFromSpec('file:/var/lib/rancher/k3s/server/node-token')).toThrow(/grants full admin/);
  });
});
