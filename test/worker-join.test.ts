/**
 * `k3sdaas worker join` end to end: the real CLI against localnet, nautilus's JoinTokenIssuer in process, and the
 * fake k3s from test/fixtures on PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEV_ACCOUNTS } from '../src/localnet/index.js';
import { generatedTokenSource, JoinTokenIssuer, type JoinTokenEvent, type TokenSource } from '../src/nautilus/join-tokens.js';
import { generateEncryptionKey } from '../src/core/crypto/index.js';
import { readWorker, writeWorkerKey } from '../src/worker/index.js';
import { cliEnv, containsBytes, fakeK3sRuns, FIXTURES, ledgerBytes, secretForms, startWorkerTestbed, testbedIssuer, type WorkerTestbed } from '../src/worker/testing.js';
import { BIN, runCli } from './helpers/cli.js';

const ACCOUNT = 1;
const API_URL = 'https://10.0.0.1:6443';
let tb: WorkerTestbed;
let issuer: JoinTokenIssuer;
const issued: string[] = [];
const events: JoinTokenEvent[] = [];
const home = mkdtempSync(join(tmpdir(), 'k3sdaas-worker-'));
const k3sDir = join(home, 'k3s');
const ledgerDir = join(home, 'localnet');
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  tb = await startWorkerTestbed({ heartbeatTimeoutMs: 3_000n, apiUrl: API_URL, dataDir: ledgerDir });
  const base = generatedTokenSource();
  const source: TokenSource = { name: 'recorded', token: async (r) => (issued.push(await base.token(r)), issued.at(-1)!) };
  issuer = testbedIssuer(tb, source, events, { markInactive: false });
  await issuer.start();
  env = cliEnv(tb, ACCOUNT, join(home, 'data'), { PATH: `${FIXTURES}${delimiter}${process.env.PATH}`, FAKE_K3S_DIR: k3sDir });
});
afterAll(async () => {
  await issuer?.stop();
  await tb?.stop();
});

const balance = async () => BigInt((await tb.client.core.getBalance({ owner: DEV_ACCOUNTS[ACCOUNT].address })).balance.balance);

function startJoin(args: string[]): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(BIN, ['worker', 'join', '--cluster', tb.clusterId, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stderr: () => err, exit };
}

describe('worker join', () => {
  it('joins, runs the agent with the issued token, restarts it on crash, heartbeats, stops on SIGTERM and leaves', async () => {
    const join1 = startJoin(['--node-name', 'node-e2e', '--stake', '12SUI']);
    try {
      await vi.waitFor(() => expect(fakeK3sRuns(k3sDir), join1.stderr()).toHaveLength(1), { timeout: 30_000, interval: 100 });
      const [run] = fakeK3sRuns(k3sDir);
      // The agent gets the server URL and node name from chain, and exactly the token nautilus issued.
      expect(run.args).toEqual(['agent', '--server', API_URL, '--node-name', 'node-e2e']);
      expect(issued).toHaveLength(1);
      expect(run.env.K3S_TOKEN).toBe(issued[0]);
      expect(run.args.join(' ')).not.toContain(issued[0]);
      expect(join1.stderr()).toMatch(/waiting for the enclave to issue a join token/);
      expect(join1.stderr()).toMatch(/joined cluster workers-test as node-e2e/);
      expect(join1.stderr()).not.toContain(issued[0]);

      // Key and state files are private.
      const keyFile = join(home, 'data', 'worker', 'encryption-key.json');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const state = JSON.parse(readFileSync(join(home, 'data', 'worker', `${tb.clusterId}.json`), 'utf8'));
      expect(state.nodeName).toBe('node-e2e');
      const worker0 = (await readWorker(tb.client, state.workerId))!;
      expect(worker0.stake).toBe(12_000_000_000n);

      // Agent crash → restarted.
      writeFileSync(join(k3sDir, 'crash'), '');
      await vi.waitFor(() => expect(fakeK3sRuns(k3sDir)).toHaveLength(2), { timeout: 15_000, interval: 100 });
      const runs = fakeK3sRuns(k3sDir);
      expect(runs[0].crashed).toBe(true);
      expect(runs[1].env.K3S_TOKEN).toBe(issued[0]);

      // Heartbeats land on chain (every timeout/3 = 1 s).
      await vi.waitFor(async () => expect((await readWorker(tb.client, state.workerId))!.lastHeartbeatMs).toBeGreaterThan(worker0.registeredMs), {
        timeout: 10_000,
        interval: 250,
      });
      const status = await runCli(['worker', 'status', '--cluster', tb.clusterId, '--json'], { env });
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ workerId: state.workerId, nodeName: 'node-e2e', state: 'active', stake: '12 SUI', joinTokenSet: true });

      // SIGTERM is forwarded to the agent; the CLI exits cleanly.
      join1.child.kill('SIGTERM');
      expect(await join1.exit).toBe(0);
      expect(fakeK3sRuns(k3sDir)[1].signal).toBe('TERM');

      // Another key file than the one the Worker was registered with: a clear error, nothing sent.
      const otherKey = join(home, 'other-key.json');
      writeWorkerKey(otherKey, generateEncryptionKey());
      const txs = tb.localnet.chain.transactions.size;
      const wrong = await runCli(['worker', 'join', '--cluster', tb.clusterId, '--worker-key', otherKey], { env });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/wrong worker key file: worker 0x[0-9a-f]+ was registered with another encryption key/);
      expect(tb.localnet.chain.transactions.size).toBe(txs);

      // Restarted, `worker join` resumes the same Worker (no second stake, no new token); SIGINT is forwarded too.
      const join2 = startJoin([]);
      await vi.waitFor(() => expect(fakeK3sRuns(k3sDir), join2.stderr()).toHaveLength(3), { timeout: 30_000, interval: 100 });
      expect(join2.stderr()).toMatch(/rejoined cluster workers-test as node-e2e \(worker 0x[0-9a-f]+, stake 12 SUI\)/);
      expect(fakeK3sRuns(k3sDir)[2].env.K3S_TOKEN).toBe(issued[0]);
      expect(issued).toHaveLength(1);
      join2.child.kill('SIGINT');
      expect(await join2.exit).toBe(0);
      expect(fakeK3sRuns(k3sDir)[2].signal).toBe('INT');

      // Nothing localnet stored — ledger in memory, journal on disk — holds the token in any form.
      const forms = secretForms(issued[0]);
      const node = new TextEncoder().encode('node-e2e'); // positive control: public data is found by the same scan
      expect([...ledgerBytes(tb.localnet.chain)].some((b) => containsBytes(b, node))).toBe(true);
      for (const bytes of ledgerBytes(tb.localnet.chain)) for (const f of forms) expect(containsBytes(bytes, f)).toBe(false);
      const journal = readFileSync(join(ledgerDir, 'journal.jsonl'));
      for (const f of forms) expect(containsBytes(journal, f)).toBe(false);
      expect(journal.length).toBeGreaterThan(1000);

      // Leave → stake back in the wallet.
      const before = await balance();
      const left = await runCli(['worker', 'leave', '--cluster', tb.clusterId, '--json'], { env });
      expect(left.code, left.stderr).toBe(0);
      expect(JSON.parse(left.stdout)).toMatchObject({ workerId: state.workerId, returned: '12 SUI' });
      const gained = (await balance()) - before;
      expect(gained).toBeGreaterThan(11_900_000_000n);
      expect(gained).toBeLessThan(12_100_000_000n);
      expect(await readWorker(tb.client, state.workerId)).toBeNull();
      const gone = await runCli(['worker', 'status', '--cluster', tb.clusterId], { env });
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(/has no worker registered on cluster/);
    } finally {
      join1.child.kill('SIGKILL');
    }
  });
});
