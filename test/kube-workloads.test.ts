/**
 * Simulated workloads with the real kubectl (/usr/bin/kubectl 1.32) against the embedded Kubernetes API: a Job whose
 * container runs `echo hi` and completes, endpoints following ready pods, drain through the eviction subresource
 * (and a PodDisruptionBudget refusing one), and a namespace passing through Terminating.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApi } from '../src/kube/index.js';

let api: KubeApi;
let dir: string;

function kubectl(args: string[], input?: string, timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = execFile('/usr/bin/kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], { env: { ...process.env, KUBECONFIG: '', HOME: dir }, timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    c.stdin!.end(input ?? '');
  });
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const rows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));

async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-workloads-'));
  api = await startKubeApi({ port: 0, simulation: { podStartDelayMs: 50 } });
  writeFileSync(
    join(dir, 'kubeconfig'),
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: "${api.url}"}\n  name: dev\ncontexts:\n- context: {cluster: dev, user: dev, namespace: default}\n  name: dev\ncurrent-context: dev\nusers:\n- name: dev\n  user: {}\n`,
  );
});

afterAll(async () => {
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('jobs run their command and finish', () => {
  it('a Job whose pod prints hi completes: kubectl wait returns, kubectl logs job/… prints hi', async () => {
    expect(await ok(['create', 'job', 'hello', '--image=busybox:1.36', '--', 'echo', 'hi'])).toBe('job.batch/hello created\n');
    const wait = await kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=30s']);
    expect(wait.code, wait.stderr).toBe(0);
    expect(wait.stdout).toBe('job.batch/hello condition met\n');
    expect(await ok(['logs', 'job/hello'])).toBe('hi\n');
    const t = rows(await ok(['get', 'job', 'hello']));
    expect(t[0]).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    expect(t[1].slice(0, 3)).toEqual(['hello', 'Complete', '1/1']);
    const pods = rows(await ok(['get', 'pods', '-l', 'job-name=hello']));
    expect(pods[1][1]).toBe('0/1');
    expect(pods[1][2]).toBe('Completed');
  });

  it('a failing Job reaches Failed (BackoffLimitExceeded) and its pod logs stderr', async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata: {name: oops}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: [sh, -c, 'echo starting; echo "broken: $REASON" >&2; exit 3']
        env: [{name: REASON, value: disk full}]
`;
    expect(await ok(['apply', '-f', '-'], manifest)).toBe('job.batch/oops created\n');
    const wait = await kubectl(['wait', '--for=condition=failed', 'job/oops', '--timeout=30s']);
    expect(wait.code, wait.stderr).toBe(0);
    expect(await ok(['logs', 'job/oops'])).toBe('starting\nbroken: disk full\n');
    const job = JSON.parse(await ok(['get', 'job', 'oops', '-o', 'json']));
    expect(job.status.failed).toBe(1);
    expect(job.status.conditions.find((c: { type: string }) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    const pod = JSON.parse(await ok(['get', 'pods', '-l', 'job-name=oops', '-o', 'json'])).items[0];
    expect(pod.status.phase).toBe('Failed');
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('the simulated shell refuses what it cannot do: the pod fails with sh\'s message', async () => {
    const r = await kubectl(['create', 'job', 'subst', '--image=busybox:1.36', '--', 'sh', '-c', 'echo "on $(hostname)"']);
    expect(r.code, r.stderr).toBe(0);
    await ok(['patch', 'job', 'subst', '--type=merge', '-p', '{"spec":{"backoffLimit":0}}']);
    expect((await kubectl(['wait', '--for=condition=failed', 'job/subst', '--timeout=30s'])).code).toBe(0);
    expect(await ok(['logs', 'job/subst'])).toBe('sh: command substitution is not supported by the simulated shell\n');
  });

  it('Indexed completions with parallelism: three pods succeed; pipes, redirections and files work inside them', async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata: {name: trio}
spec:
  completions: 3
  parallelism: 2
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: [sh, -c, 'echo "index $JOB_COMPLETION_INDEX" | cat > /tmp/out && cat /tmp/out && hostname']
`;
    await ok(['apply', '-f', '-'], manifest);
    const wait = await kubectl(['wait', '--for=condition=complete', 'job/trio', '--timeout=30s']);
    expect(wait.code, wait.stderr).toBe(0);
    const job = JSON.parse(await ok(['get', 'job', 'trio', '-o', 'json']));
    expect(job.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
    const logs = (await ok(['logs', '-l', 'job-name=trio', '--prefix=false'])).trim().split('\n').sort();
    expect(logs).toEqual(['index 0', 'index 1', 'index 2', 'trio-0', 'trio-1', 'trio-2']);
  });
});

describe('statefulsets, daemonsets and cronjobs with kubectl', () => {
  it('a StatefulSet rolls out name-0..n in order: rollout status returns, pods have stable names', async () => {
    const sts = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: busybox:1.36, command: [sh, -c, 'echo "I am $(hostname)"; sleep infinity']}]
`.replace(`'echo "I am $(hostname)"; sleep infinity'`, `'cat /etc/hostname; sleep infinity'`);
    await ok(['apply', '-f', '-'], sts);
    const r = await kubectl(['rollout', 'status', 'statefulset/db', '--timeout=30s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('partitioned roll out complete: 3 new pods have been updated...');
    expect((await ok(['get', 'pods', '-l', 'app=db', '-o', 'name'])).trim().split('\n')).toEqual(['pod/db-0', 'pod/db-1', 'pod/db-2']);
    expect(await ok(['logs', 'db-1'])).toBe('db-1\n');
    expect(rows(await ok(['get', 'controllerrevisions', '-l', 'app=db']))[1][1]).toBe('statefulset.apps/db');
    await ok(['scale', 'sts', 'db', '--replicas=1']);
    await eventually(async () => (await ok(['get', 'pods', '-l', 'app=db', '-o', 'name'])).trim() === 'pod/db-0');
  });

  it('create job --from=cronjob/… runs the CronJob template now', async () => {
    expect(await ok(['create', 'cronjob', 'nightly', '--image=busybox:1.36', '--schedule=0 3 * * *', '--', 'echo', 'nightly run'])).toBe('cronjob.batch/nightly created\n');
    expect(rows(await ok(['get', 'cronjob', 'nightly']))[1].slice(0, 5)).toEqual(['nightly', '0 3 * * *', '<none>', 'False', '0']);
    await ok(['create', 'job', 'nightly-manual', '--from=cronjob/nightly']);
    expect((await kubectl(['wait', '--for=condition=complete', 'job/nightly-manual', '--timeout=30s'])).code).toBe(0);
    expect(await ok(['logs', 'job/nightly-manual'])).toBe('nightly run\n');
  });
});

describe('endpoints follow services and ready pods', () => {
  it('get endpoints lists the ready pods behind a service', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80']);
    expect(await ok(['expose', 'deployment', 'web', '--port=8080', '--target-port=80'])).toBe('service/web exposed\n');
    let ips: string[] = [];
    await eventually(async () => {
      const pods = JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items;
      ips = pods.filter((p: { status: { conditions?: { type: string; status: string }[] } }) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p: { status: { podIP: string } }) => p.status.podIP);
      return ips.length === 2;
    });
    await eventually(async () => rows(await ok(['get', 'endpoints', 'web']))[1]?.[1]?.split(',').length === 2);
    const t = rows(await ok(['get', 'endpoints', 'web']));
    expect(t[0]).toEqual(['NAME', 'ENDPOINTS', 'AGE']);
    expect(t[1][1].split(',').sort()).toEqual(ips.map((ip) => `${ip}:80`).sort());
    const slices = JSON.parse(await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'])).items;
    expect(slices).toHaveLength(1);
    expect(slices[0].endpoints.map((e: { addresses: string[] }) => e.addresses[0]).sort()).toEqual([...ips].sort());
    expect(slices[0].ports).toEqual([{ name: '', port: 80, protocol: 'TCP' }]);
  });

  it('the simulated nginx answers HTTP on its port and logs the request', async () => {
    const pod = JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items[0];
    const c = api.simulation.kubelet.container('default', pod.metadata.name)!;
    const sock = await c.connect(80);
    const reply = await new Promise<string>((resolve) => {
      let data = '';
      sock.on('data', (d) => (data += d));
      sock.on('end', () => resolve(data));
      sock.end('GET / HTTP/1.1\r\nHost: web\r\nUser-Agent: test/1\r\nConnection: close\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(reply).toContain('<title>Welcome to nginx!</title>');
    expect(await ok(['logs', pod.metadata.name])).toMatch(/"GET \/ HTTP\/1\.1" 200 \d+ "-" "test\/1"/);
  });
});

describe('graceful termination, eviction and drain', () => {
  it('kubectl delete pod passes through Terminating and returns', async () => {
    await ok(['run', 'sleeper', '--image=busybox:1.36', '--', 'sleep', '3600']);
    await eventually(async () => rows(await ok(['get', 'pod', 'sleeper']))[1][2] === 'Running');
    const seen: string[] = [];
    const unsubscribe = api.store.onChange((type, def, obj) => def.kind === 'Pod' && obj.metadata.name === 'sleeper' && seen.push(`${type}${obj.metadata.deletionTimestamp ? ' deleting' : ''}`));
    const del = await kubectl(['delete', 'pod', 'sleeper']);
    unsubscribe();
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toBe('pod "sleeper" deleted\n');
    expect(seen[0]).toBe('MODIFIED deleting');
    expect(seen[seen.length - 1]).toBe('DELETED deleting');
  });

  it('a PodDisruptionBudget refuses an eviction with 429', async () => {
    await ok(['create', 'pdb', 'web', '--selector=app=web', '--min-available=2']);
    await eventually(async () => JSON.parse(await ok(['get', 'pdb', 'web', '-o', 'json'])).status?.expectedPods === 2);
    const pod = JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items[0].metadata.name;
    const r = await fetch(`${api.url}/api/v1/namespaces/default/pods/${pod}/eviction`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: 'default' } }),
    });
    expect(r.status).toBe(429);
    const status = (await r.json()) as { message: string; details: { causes: unknown[] } };
    expect(status.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(status.details.causes[0]).toEqual({ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' });
    await ok(['delete', 'pdb', 'web']);
  });

  it('drain --force --ignore-daemonsets evicts pods; the deployment moves to the other node', async () => {
    api.store.registerNode('worker-1');
    const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: busybox:1.36, command: [sleep, infinity]}]
`;
    await ok(['apply', '-f', '-'], ds);
    await eventually(async () => rows(await ok(['get', 'ds', 'agent']))[1]?.[3] === '2');
    await ok(['run', 'bare', '--image=nginx:1.27', '--overrides={"spec":{"nodeName":"k3sdaas-dev"}}']);
    await eventually(async () => rows(await ok(['get', 'pod', 'bare']))[1][2] === 'Running');
    const onDev = async () => JSON.parse(await ok(['get', 'pods', '--field-selector', 'spec.nodeName=k3sdaas-dev', '-o', 'json'])).items.map((p: { metadata: { name: string } }) => p.metadata.name) as string[];
    const before = await onDev();
    expect(before).toEqual(expect.arrayContaining(['bare']));
    const drain = await kubectl(['drain', 'k3sdaas-dev', '--force', '--ignore-daemonsets', '--timeout=60s'], undefined, 90_000);
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain('node/k3sdaas-dev cordoned');
    expect(drain.stdout).toContain('pod/bare evicted');
    expect(drain.stdout).toContain('node/k3sdaas-dev drained');
    // kubectl joins its drain warnings in one line, in the order it found the pods.
    expect(drain.stderr).toMatch(/Warning: (.*; )?ignoring DaemonSet-managed Pods: default\/agent-/);
    expect(drain.stderr).toContain('deleting Pods that declare no controller: default/bare');
    const after = await onDev();
    expect(after.filter((n) => !n.startsWith('agent-'))).toEqual([]);
    expect(rows(await ok(['get', 'node', 'k3sdaas-dev']))[1][1]).toBe('Ready,SchedulingDisabled');
    await eventually(async () => {
      const pods = JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items;
      return pods.length === 2 && pods.every((p: { spec: { nodeName?: string }; status: { phase: string } }) => p.spec.nodeName === 'worker-1' && p.status.phase === 'Running');
    });
    await ok(['uncordon', 'k3sdaas-dev']);
  });
});

describe('namespaces', () => {
  it('delete ns passes through Terminating until its content is gone', async () => {
    await ok(['create', 'ns', 'tmp']);
    await eventually(async () => (await kubectl(['get', 'cm', 'kube-root-ca.crt', '-n', 'tmp'])).code === 0);
    expect(rows(await ok(['get', 'sa', '-n', 'tmp']))[1][0]).toBe('default');
    await ok(['create', 'cm', 'held', '-n', 'tmp', '--from-literal=a=b']);
    await ok(['patch', 'cm', 'held', '-n', 'tmp', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    expect(await ok(['delete', 'ns', 'tmp', '--wait=false'])).toBe('namespace "tmp" deleted\n');
    await eventually(async () => JSON.parse(await ok(['get', 'ns', 'tmp', '-o', 'json'])).status.conditions?.some((c: { type: string; status: string }) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True'));
    expect(rows(await ok(['get', 'ns', 'tmp']))[1].slice(0, 2)).toEqual(['tmp', 'Terminating']);
    const late = await kubectl(['create', 'cm', 'late', '-n', 'tmp']);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('unable to create new content in namespace tmp because it is being terminated');
    await ok(['patch', 'cm', 'held', '-n', 'tmp', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(async () => (await kubectl(['get', 'ns', 'tmp'])).code === 1);
    expect((await kubectl(['get', 'ns', 'tmp'])).stderr).toContain('namespaces "tmp" not found');
  });
});
