/**
 * Simulated workloads through the whole system: the real kubectl → gateway → chain → nautilus → embedded API.
 * A Job whose pod prints `hi` completes (`kubectl wait --for=condition=complete`, `kubectl logs job/…`), a service's
 * endpoints list its ready pods — and the sandbox runs with requestWarnings off, so no per-request Warning is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { gatewayKubectl } from './helpers/sandbox.js';

let sb: Sandbox;
let kubectl: Awaited<ReturnType<typeof gatewayKubectl>>;

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 50, requestWarnings: false });
  kubectl = await gatewayKubectl(sb);
}, 90_000);

afterAll(async () => {
  await sb?.stop();
});

async function until(args: string[], check: (out: string) => boolean, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await kubectl(args);
    if (r.code === 0 && check(r.stdout)) return r.stdout;
    if (Date.now() > end) throw new Error(`kubectl ${args.join(' ')}: condition not met; last: ${r.stdout}${r.stderr}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe('workloads through the gateway', () => {
  it('a Job prints hi and completes; kubectl wait and kubectl logs job/… see it; no request Warning when quiet', async () => {
    const created = await kubectl(['create', 'job', 'hello', '--image=busybox:1.36', '--', 'echo', 'hi']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe('job.batch/hello created\n');
    expect(created.stderr).not.toContain('k3sdaas request');
    // the gateway carries no watch yet (streams issue): wait answers from its first list once the job is done
    await until(['get', 'job', 'hello', '-o', 'jsonpath={.status.conditions[?(@.type=="Complete")].status}'], (s) => s === 'True');
    const wait = await kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=60s']);
    expect(wait.code, wait.stderr).toBe(0);
    expect(wait.stdout).toBe('job.batch/hello condition met\n');
    const logs = await kubectl(['logs', 'job/hello']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe('hi\n');
    expect(logs.stderr).toBe('');
  }, 120_000);

  it('get endpoints lists the ready pod behind a service', async () => {
    expect((await kubectl(['run', 'web', '--image=nginx:1.27', '--labels=app=web', '--port=80'])).code).toBe(0);
    expect((await kubectl(['create', 'service', 'clusterip', 'web', '--tcp=80:80'])).code).toBe(0);
    const ip = await until(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}'], (s) => /^10\.42\./.test(s));
    const out = await until(['get', 'endpoints', 'web'], (s) => s.includes(`${ip}:80`));
    expect(out.trim().split('\n')[1]).toMatch(new RegExp(`^web\\s+${ip.replace(/\./g, '\\.')}:80\\s+\\S+$`));
  }, 120_000);
});
