/** Bad input to `k3sdaas worker join` gets a clear error and leaves nothing half-registered on chain. */
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTENT_JOIN_TOKEN } from '../src/core/abi/package.js';
import * as calls from '../src/core/calls/index.js';
import { digest, generateEncryptionKey, seal } from '../src/core/crypto/index.js';
import { joinTokenBinding } from '../src/core/envelope/binding.js';
import { createCluster } from '../src/core/cluster-admin.js';
import { decodeEvent } from '../src/core/events/index.js';
import { createTlsMaterial } from '../src/gateway/tls.js';
import { signIntent } from '../src/core/intent.js';
import { DEV_ACCOUNTS } from '../src/localnet/index.js';
import { findOwnWorkers } from '../src/worker/index.js';
import { cliEnv, fakeK3sRuns, FIXTURES, startWorkerTestbed, type WorkerTestbed } from '../src/worker/testing.js';
import { runCli } from './helpers/cli.js';

let tb: WorkerTestbed;
const home = mkdtempSync(join(tmpdir(), 'k3sdaas-worker-err-'));
const k3sDir = join(home, 'k3s');
const PATH = `${FIXTURES}${delimiter}${process.env.PATH}`;

beforeAll(async () => {
  tb = await startWorkerTestbed();
});
afterAll(async () => tb?.stop());

const envFor = (account: number, extra: NodeJS.ProcessEnv = {}) =>
  cliEnv(tb, account, join(home, `data-${account}`), { PATH, FAKE_K3S_DIR: k3sDir, ...extra });
const balance = async (account: number) => BigInt((await tb.client.core.getBalance({ owner: DEV_ACCOUNTS[account].address })).balance.balance);

async function nothingRegistered(account: number) {
  expect(await findOwnWorkers(tb.client, tb.packageId, DEV_ACCOUNTS[account].address, tb.clusterId)).toEqual([]);
  expect(fakeK3sRuns(k3sDir)).toEqual([]);
}

describe('worker join refuses bad input before sending anything', () => {
  it('unknown cluster, too little stake or balance, bad node name, bad key files, no k3s', async () => {
    const garbage = join(home, 'garbage.key');
    writeFileSync(garbage, 'not a key', { mode: 0o600 });
    const open = join(home, 'open.key');
    writeFileSync(open, '{}', { mode: 0o644 });
    chmodSync(open, 0o644);
    const unknown = '0x' + 'cd'.repeat(32);
    const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
      [['--cluster', unknown], /unknown cluster 0xcdcd.*no such Cluster object on this network/],
      [['--stake', '1SUI'], /stake 1 SUI \(1000000000 MIST\) is below the cluster's minimum worker stake of 10 SUI/],
      [['--stake', '6000SUI'], /holds \d+(\.\d+)? SUI, not enough to stake 6000 SUI plus 0\.05 SUI for gas/],
      [['--stake', 'ten'], /invalid amount 'ten'/],
      [['--node-name', 'Bad_Name'], /invalid node name 'Bad_Name'/],
      [['--worker-key', garbage], /worker key file .*garbage\.key is not a k3sdaas worker key/],
      [['--worker-key', open], /open\.key is readable by others; run: chmod 600/],
      [['--k3s-bin', join(home, 'nope')], /--k3s-bin .*nope is not an executable file/],
      [[], /k3s not found on PATH: install k3s .* or pass --k3s-bin/, { PATH: '/usr/bin:/bin' }],
    ];
    const txs = tb.localnet.chain.transactions.size;
    const results = await Promise.all(
      cases.map(([args, , extra]) => runCli(['worker', 'join', '--cluster', tb.clusterId, '--node-name', 'n1', ...args], { env: envFor(1, extra) })),
    );
    cases.forEach(([args, message], i) => {
      expect(results[i].code, args.join(' ')).not.toBe(0);
      expect(results[i].stderr, args.join(' ')).toMatch(message);
    });
    expect(tb.localnet.chain.transactions.size).toBe(txs);
    await nothingRegistered(1);
  });
});

describe('worker join pins the cluster CA', () => {
  it('refuses, before staking, an API server whose CA is not the one recorded on chain', async () => {
    const [real, other] = await Promise.all([createTlsMaterial(['127.0.0.1']), createTlsMaterial(['127.0.0.1'])]);
    const server = createServer({ key: real.keyPem, cert: real.certPem }, (req, res) => res.writeHead(req.url === '/cacerts' ? 200 : 401).end(req.url === '/cacerts' ? real.caPem : ''));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const apiUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const pinned = new Uint8Array(createHash('sha256').update(new X509Certificate(other.caPem).raw).digest());
      const created = await createCluster(tb.operator, tb.packageId, { name: 'pinned', apiUrl, caHash: pinned, debug: true });
      await tb.operator.execute(
        calls.enclave.registerDebug({ package: tb.packageId, arguments: { cap: created.capId, cluster: created.clusterId, publicKey: tb.enclaveKey.publicKey } }),
      );
      const txs = tb.localnet.chain.transactions.size;
      const r = await runCli(['worker', 'join', '--cluster', created.clusterId, '--node-name', 'n4'], { env: envFor(1) });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the API server at https:\/\/127\.0\.0\.1:\d+ does not present the CA pinned on chain \(sha256 [0-9a-f]{64}\): refusing to send it the join token/);
      expect(tb.localnet.chain.transactions.size).toBe(txs);
      await nothingRegistered(1);
    } finally {
      server.close();
    }
  });
});

describe('worker join rolls back a registration that cannot work', () => {
  it('a join token encrypted to another key: clear error, Worker removed, stake returned', async () => {
    // A misbehaving issuer: correctly signed by the enclave, but sealed to a key that is not the worker's.
    const stop = new AbortController();
    const evil = (async () => {
      let after: string | null = null;
      while (!stop.signal.aborted) {
        const page = await tb.client.core.listEvents({ filter: { emitModule: `${tb.packageId}::workers` }, after });
        for (const raw of page.events) {
          const ev = decodeEvent(raw, { packageId: tb.packageId });
          if (ev?.$kind !== 'WorkerRegistered') continue;
          const ciphertext = seal(new TextEncoder().encode('K10abc::evil.0123456789abcdef'), generateEncryptionKey().publicKey, 'join-token', joinTokenBinding(ev));
          const timestampMs = Date.now();
          const signature = await signIntent(tb.enclaveKey, INTENT_JOIN_TOKEN, timestampMs, {
            workerId: ev.workerId,
            owner: ev.owner,
            encryptionKey: ev.encryptionKey,
            ciphertextDigest: digest(ciphertext),
          });
          await tb.operator.execute(
            calls.workers.setJoinToken({ package: tb.packageId, arguments: { cluster: tb.clusterId, worker: ev.workerId, ciphertext, timestampMs, signature } }),
          );
        }
        after = page.endCursor ?? after;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      const before = await balance(2);
      const r = await runCli(['worker', 'join', '--cluster', tb.clusterId, '--node-name', 'n2', '--timeout', '30s'], { env: envFor(2) });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the join token on chain for worker 0x[0-9a-f]+ does not open with this worker's key/);
      expect(r.stderr).toMatch(/registration rolled back: worker 0x[0-9a-f]+ left, 10 SUI returned/);
      expect(before - (await balance(2))).toBeLessThan(100_000_000n); // only gas spent
      await nothingRegistered(2);
      expect(existsSync(join(home, 'data-2', 'worker', `${tb.clusterId}.json`))).toBe(false);
    } finally {
      stop.abort();
      await evil;
    }
  });

  it('no join token within --timeout: clear error, Worker removed', async () => {
    const r = await runCli(['worker', 'join', '--cluster', tb.clusterId, '--node-name', 'n3', '--timeout', '2s'], { env: envFor(3) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no join token for worker 0x[0-9a-f]+ after 2s: is the cluster's nautilus running\?/);
    expect(r.stderr).toMatch(/registration rolled back/);
    await nothingRegistered(3);
  });
});
