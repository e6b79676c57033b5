/** Heartbeats stop → nautilus's JoinTokenIssuer marks the worker inactive on chain → the worker notices and stops. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generatedTokenSource, JoinTokenIssuer, type JoinTokenEvent } from '../src/nautilus/join-tokens.js';
import { readWorker } from '../src/worker/index.js';
import { cliEnv, fakeK3sRuns, FIXTURES, startWorkerTestbed, testbedIssuer, type WorkerTestbed } from '../src/worker/testing.js';
import { BIN, runCli } from './helpers/cli.js';

let tb: WorkerTestbed;
let issuer: JoinTokenIssuer;
const events: JoinTokenEvent[] = [];
const home = mkdtempSync(join(tmpdir(), 'k3sdaas-worker-inactive-'));
const k3sDir = join(home, 'k3s');

beforeAll(async () => {
  tb = await startWorkerTestbed({ heartbeatTimeoutMs: 3_000n });
  issuer = testbedIssuer(tb, generatedTokenSource(), events, { inactivityCheckMs: 500 });
  await issuer.start();
});
afterAll(async () => {
  await issuer?.stop();
  await tb?.stop();
});

describe('heartbeats', () => {
  it('a worker that stops sending heartbeats is marked inactive on chain, and its agent is stopped', async () => {
    const env = cliEnv(tb, 2, join(home, 'data'), { PATH: `${FIXTURES}${delimiter}${process.env.PATH}`, FAKE_K3S_DIR: k3sDir });
    const child = spawn(BIN, ['worker', 'join', '--cluster', tb.clusterId, '--node-name', 'sleepy'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr!.on('data', (d) => (out += d));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await vi.waitFor(() => expect(fakeK3sRuns(k3sDir), out).toHaveLength(1), { timeout: 30_000, interval: 100 });
      // Alive: heartbeats keep it active past the timeout.
      await new Promise((r) => setTimeout(r, 4_000));
      expect(events.filter((e) => e.type === 'inactive')).toEqual([]);

      child.kill('SIGSTOP'); // the worker freezes: no more heartbeats
      await vi.waitFor(() => expect(events.find((e) => e.type === 'inactive')).toBeDefined(), { timeout: 15_000, interval: 200 });
      const inactive = events.find((e) => e.type === 'inactive') as Extract<JoinTokenEvent, { type: 'inactive' }>;
      expect(inactive.nodeName).toBe('sleepy');
      expect((await readWorker(tb.client, inactive.workerId))!.active).toBe(false);

      child.kill('SIGCONT'); // its next heartbeat is refused: it stops the agent and exits with the reason
      expect(await exit).toBe(1);
      expect(out).toMatch(/the cluster marked worker 0x[0-9a-f]+ inactive \(heartbeats missed\); the agent was stopped/);
      expect(fakeK3sRuns(k3sDir)[0].signal).toBe('TERM');

      const status = await runCli(['worker', 'status', '--cluster', tb.clusterId], { env });
      expect(status.stdout).toMatch(/state\s+inactive/);
      const left = await runCli(['worker', 'leave', '--cluster', tb.clusterId], { env });
      expect(left.code, left.stderr).toBe(0);
      expect(left.stdout).toMatch(/left cluster .*: 10 SUI returned/);
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  });
});
