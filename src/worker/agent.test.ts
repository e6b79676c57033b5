import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AgentSupervisor, resolveK3sBinary, type AgentEvent } from './agent.js';
import { fakeK3sRuns, FIXTURES } from './testing.js';

const K3S = join(FIXTURES, 'k3s');

function supervisor(dir: string, events: AgentEvent[], extra: Partial<ConstructorParameters<typeof AgentSupervisor>[0]> = {}) {
  return new AgentSupervisor({
    k3sBin: K3S,
    serverUrl: 'https://10.1.2.3:6443',
    token: 'K10abc::tok123.secretsecretsecr',
    nodeName: 'node-1',
    env: { ...process.env, FAKE_K3S_DIR: dir },
    backoff: { initialMs: 100, maxMs: 400 },
    output: 'ignore',
    onEvent: (e) => events.push(e),
    ...extra,
  });
}

describe('AgentSupervisor', () => {
  it('runs k3s agent with the server and node name in argv and the token in K3S_TOKEN', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-'));
    const events: AgentEvent[] = [];
    const s = supervisor(dir, events).start();
    try {
      await vi.waitFor(() => expect(fakeK3sRuns(dir)).toHaveLength(1));
      const [run] = fakeK3sRuns(dir);
      expect(run.args).toEqual(['agent', '--server', 'https://10.1.2.3:6443', '--node-name', 'node-1']);
      expect(run.env.K3S_TOKEN).toBe('K10abc::tok123.secretsecretsecr');
    } finally {
      await s.stop('SIGINT');
    }
    expect(fakeK3sRuns(dir)[0].signal).toBe('INT');
    expect(events.at(-1)).toEqual({ type: 'stopped' });
  });

  it('restarts a crashed agent with growing backoff', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-'));
    const events: AgentEvent[] = [];
    const s = supervisor(dir, events).start();
    try {
      for (let n = 1; n <= 3; n++) {
        await vi.waitFor(() => expect(fakeK3sRuns(dir)).toHaveLength(n), { timeout: 5_000 });
        if (n < 3) writeFileSync(join(dir, 'crash'), '');
      }
      const restarts = events.filter((e): e is Extract<AgentEvent, { type: 'restarting' }> => e.type === 'restarting').map((e) => e.inMs);
      expect(restarts).toEqual([100, 200]);
      expect(fakeK3sRuns(dir).map((r) => r.crashed)).toEqual([true, true, false]);
      expect(s.runs).toBe(3);
    } finally {
      await s.stop();
    }
    expect(fakeK3sRuns(dir)[2].signal).toBe('TERM');
  });

  it('kills an agent that ignores the stop signal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-'));
    const stubborn = join(dir, 'stubborn');
    writeFileSync(stubborn, "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.05; done\n", { mode: 0o755 });
    const events: AgentEvent[] = [];
    const s = supervisor(dir, events, { k3sBin: stubborn, stopTimeoutMs: 300 }).start();
    await vi.waitFor(() => expect(events.some((e) => e.type === 'started')).toBe(true));
    const started = Date.now();
    await s.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ signal: 'SIGKILL' });
  });

  it('says how to fix a missing k3s', () => {
    expect(() => resolveK3sBinary('k3s', { PATH: '/nonexistent' })).toThrow(/k3s not found on PATH: install k3s .* or pass --k3s-bin/);
    expect(() => resolveK3sBinary('/nonexistent/k3s')).toThrow(/is not an executable file/);
    expect(resolveK3sBinary('k3s', { PATH: `/nonexistent:${FIXTURES}` })).toBe(K3S);
  });
});
