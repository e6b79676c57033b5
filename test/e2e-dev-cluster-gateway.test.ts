/**
 * Issue 14's first "Done when", the items not already covered by e2e-kube-machinery-gateway (explain, strict
 * validation, CRDs, autoscale) and workloads-gateway (Job + wait + logs, endpoints): the real kubectl through the
 * gateway, the chain and nautilus into the embedded API of one sandbox — `create ns`, `apply --prune -l` without an
 * allowlist, `drain --force` evicting pods, `auth can-i` / `auth whoami` (the operator and a viewer tenant), a 1.2 MiB
 * ConfigMap refused (carried by the gateway's large-body path), `delete ns` passing through Terminating.
 *
 * Waits use kubectl's own watch through the chain (issue 11's sessions) where kubectl watches: `wait --for=delete`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { stakedUser, tempDir } from './helpers/e2e.js';
import type { KubectlResult } from './helpers/kubectl.js';
import { STEP_TIMEOUT_MS } from './helpers/kubectl-scenario.js';
import { gatewayKubectl } from './helpers/sandbox.js';

let sb: Sandbox;
let kubectl: (args: string[], input?: string) => Promise<KubectlResult>;
const dir = tempDir('e2e-dev-cluster');

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 50, requestWarnings: false });
  kubectl = await gatewayKubectl(sb);
}, 90_000);
afterAll(async () => sb?.stop());

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Polls a GET until its output passes (no watch through the gateway yet); each GET is a chain round trip. */
async function until(args: string[], check: (r: KubectlResult) => boolean, ms = 30_000): Promise<KubectlResult> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await kubectl(args);
    if (check(r)) return r;
    if (Date.now() > end) throw new Error(`kubectl ${args.join(' ')}: condition not met; last: ${r.stdout}${r.stderr}`);
  }
}

describe('the dev cluster through the gateway', () => {
  it('create ns', async () => {
    expect(await ok(['create', 'ns', 'team-a'])).toBe('namespace/team-a created\n');
    expect(await ok(['get', 'ns', 'team-a'])).toMatch(/^NAME\s+STATUS\s+AGE\nteam-a\s+Active\s+\S+\n$/);
  }, STEP_TIMEOUT_MS);

  it('apply --prune -l without an allowlist prunes what left the manifest', async () => {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: team-a\n  labels: {app: pruned}\ndata: {k: v}\n`;
    writeFileSync(join(dir, 'both.yaml'), `${cm('keep')}---\n${cm('gone')}`);
    writeFileSync(join(dir, 'one.yaml'), cm('keep'));
    expect(await ok(['apply', '-f', join(dir, 'both.yaml')])).toBe('configmap/keep created\nconfigmap/gone created\n');
    const pruned = await kubectl(['apply', '--prune', '-l', 'app=pruned', '-f', join(dir, 'one.yaml')]);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toBe('configmap/keep unchanged\nconfigmap/gone pruned\n');
    expect(await ok(['get', 'cm', '-n', 'team-a', '-l', 'app=pruned', '-o', 'name'])).toBe('configmap/keep\n');
  }, STEP_TIMEOUT_MS);

  it('drain --force evicts the pods on the node', async () => {
    const node = (await ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    expect(node).not.toBe('');
    await ok(['run', 'loner', '-n', 'team-a', '--image=nginx:1.27']);
    await until(['get', 'pod', 'loner', '-n', 'team-a', '-o', 'jsonpath={.status.phase}'], (r) => r.stdout === 'Running');
    const drained = await kubectl(['drain', node, '--force', '--ignore-daemonsets', '--grace-period=1', '--timeout=60s']);
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toContain(`node/${node} cordoned\n`);
    expect(drained.stdout).toContain('pod/loner evicted\n');
    expect(drained.stdout).toMatch(new RegExp(`node/${node} drained\\n$`));
    expect(drained.stderr).toContain('Warning: deleting Pods that declare no controller: team-a/loner');
    expect(drained.stdout).toContain('evicting pod team-a/loner\n');
    const gone = await kubectl(['get', 'pod', 'loner', '-n', 'team-a']);
    expect(gone.stderr).toBe('Error from server (NotFound): pods "loner" not found\n');
    expect(await ok(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).toBe('true');
    expect(await ok(['uncordon', node])).toBe(`node/${node} uncordoned\n`);
  }, STEP_TIMEOUT_MS);

  it('auth can-i and auth whoami answer for the dev user (the operator) and for a viewer', async () => {
    expect(await ok(['auth', 'can-i', 'create', 'namespaces'])).toBe('yes\n');
    expect(await ok(['auth', 'can-i', 'delete', 'nodes'])).toBe('yes\n');
    expect(await ok(['auth', 'can-i', 'get', 'pods', '-n', 'team-a'])).toBe('yes\n');
    // the rules review: cluster-admin's wildcard rules first, as a real server lists them
    const list = (await ok(['auth', 'can-i', '--list', '-n', 'team-a'])).split('\n');
    expect(list.slice(0, 3).map((l) => l.trim().split(/\s+/))).toEqual([['Resources', 'Non-Resource', 'URLs', 'Resource', 'Names', 'Verbs'], ['*.*', '[]', '[]', '[*]'], ['[*]', '[]', '[*]']]);
    // nautilus impersonates the caller's Sui address in the group of its on-chain role
    const review = JSON.parse(await ok(['auth', 'whoami', '-o', 'json']));
    expect(review).toMatchObject({ kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' });
    expect(review.status.userInfo).toEqual({ username: sb.user.address, groups: ['k3sdaas:admin', 'system:authenticated'] });
    // a viewer (a second tenant): RBAC of its role, not the operator's
    const viewerUser = await stakedUser(sb, 'viewer', 2n * MIST_PER_SUI);
    const viewer = await gatewayKubectl(sb, viewerUser);
    expect(await viewer(['auth', 'can-i', 'create', 'namespaces'])).toEqual({ code: 1, stdout: 'no\n', stderr: "Warning: resource 'namespaces' is not namespace scoped\n\n" });
    expect(await viewer(['auth', 'can-i', 'delete', 'configmaps', '-n', 'team-a'])).toEqual({ code: 1, stdout: 'no\n', stderr: '' });
    expect(await viewer(['auth', 'can-i', 'list', 'deployments', '-n', 'team-a'])).toEqual({ code: 0, stdout: 'yes\n', stderr: '' });
    expect((await viewer(['auth', 'whoami'])).stdout).toMatch(new RegExp(`^ATTRIBUTE\\s+VALUE\nUsername\\s+${viewerUser.address}\nGroups\\s+\\[k3sdaas:viewer system:authenticated\\]\n$`));
    const table = await ok(['auth', 'whoami']);
    expect(table).toMatch(new RegExp(`^ATTRIBUTE\\s+VALUE\\nUsername\\s+${sb.user.address}\\nGroups\\s+\\[k3sdaas:admin system:authenticated\\]\\n$`));
  }, STEP_TIMEOUT_MS);

  it('a 1.2 MiB ConfigMap is carried to the API and refused with the real message', async () => {
    const file = join(dir, 'blob.txt');
    writeFileSync(file, 'x'.repeat(1.2 * 1024 * 1024));
    const r = await kubectl(['create', 'configmap', 'big', '-n', 'team-a', `--from-file=${file}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe('error: failed to create configmap: ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes\n');
    const absent = await kubectl(['get', 'cm', 'big', '-n', 'team-a']);
    expect(absent.stderr).toBe('Error from server (NotFound): configmaps "big" not found\n');
  }, STEP_TIMEOUT_MS);

  it('delete ns passes through Terminating while a finalizer holds its content', async () => {
    await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: team-a\n  finalizers: [example.com/hold]\n');
    // --wait=false here only because a finalizer holds the namespace; the real wait (a watch through the chain) follows
    expect(await ok(['delete', 'ns', 'team-a', '--wait=false'])).toBe('namespace "team-a" deleted\n');
    const terminating = await until(['get', 'ns', 'team-a'], (r) => /team-a\s+Terminating/.test(r.stdout));
    expect(terminating.stdout).toMatch(/^NAME\s+STATUS\s+AGE\nteam-a\s+Terminating\s+\S+\n$/);
    const conditions = await ok(['get', 'ns', 'team-a', '-o', 'jsonpath={.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].status}']);
    expect(conditions).toBe('True');
    // kubectl wait watches the namespace (a session through the chain) while the finalizer goes
    const waiting = kubectl(['wait', '--for=delete', 'namespace/team-a', '--timeout=60s']);
    for (let i = 0; i < 400 && sb.sessions.openCount === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(sb.sessions.openCount).toBeGreaterThan(0);
    await ok(['patch', 'cm', 'held', '-n', 'team-a', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toBe('namespace/team-a condition met\n');
    const gone = await kubectl(['get', 'ns', 'team-a']);
    expect(gone.stderr).toBe('Error from server (NotFound): namespaces "team-a" not found\n');
  }, STEP_TIMEOUT_MS);
});
