/** End-to-end: the real kubectl (/usr/bin/kubectl, 1.32.4) against the embedded Kubernetes API. */
import { writePlainKubeconfig, spawnKubectl } from './helpers/kubectl.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApi, type AuditEntry, type KubeApi } from '../src/kube/index.js';


interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let api: KubeApi;
let dir: string;
const audit: AuditEntry[] = [];

function kubectl(args: string[], input?: string, timeoutMs = 20_000): Promise<Run> {
  return spawnKubectl(['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], dir, input, timeoutMs);
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Splits table output into rows of cells. */
function rows(out: string): string[][] {
  return out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
}

async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-kubectl-'));
  api = await startKubeApi({ port: 0, simulation: { podStartDelayMs: 100 }, onAudit: (e) => audit.push(e) });
  writePlainKubeconfig(join(dir, 'kubeconfig'), api.url);
});

afterAll(async () => {
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kubectl against the embedded API: reads', () => {
  it('kubectl version reports the server version', async () => {
    const out = JSON.parse(await ok(['version', '-o', 'json']));
    expect(out.serverVersion.gitVersion).toBe('v1.32.4-k3sdaas');
    expect(out.serverVersion.minor).toBe('32');
  });

  it('get nodes prints the node table', async () => {
    const t = rows(await ok(['get', 'nodes']));
    expect(t[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(t[1].slice(0, 3)).toEqual(['k3sdaas-dev', 'Ready', 'control-plane']);
    expect(t[1][4]).toBe('v1.32.4+k3s1');
  });

  it('get ns lists the initial namespaces', async () => {
    const t = rows(await ok(['get', 'ns']));
    expect(t[0]).toEqual(['NAME', 'STATUS', 'AGE']);
    const names = t.slice(1).map((r) => r[0]);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public']));
    expect(t.slice(1).every((r) => r[1] === 'Active')).toBe(true);
  });

  it('get pods in an empty namespace', async () => {
    const r = await kubectl(['get', 'pods']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('No resources found in default namespace.');
  });

  it('api-resources comes from aggregated discovery', async () => {
    const out = await ok(['api-resources']);
    expect(out).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    expect(out).toMatch(/pods\s+po\s+v1\s+true\s+Pod/);
  });

  it('404 prints Error from server (NotFound) and exits 1', async () => {
    const r = await kubectl(['get', 'pod', 'does-not-exist']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): pods "does-not-exist" not found');
  });
});

describe('kubectl create (protobuf bodies) and the deployment simulation', () => {
  it('creates namespace, configmap, secret, deployment and service', async () => {
    expect(await ok(['create', 'namespace', 'shop'])).toContain('namespace/shop created');
    expect(await ok(['create', 'configmap', 'cfg', '-n', 'shop', '--from-literal=a=1', '--from-literal=b=two'])).toContain('configmap/cfg created');
    expect(await ok(['create', 'secret', 'generic', 'creds', '-n', 'shop', '--from-literal=user=admin'])).toContain('secret/creds created');
    expect(await ok(['create', 'deployment', 'web', '-n', 'shop', '--image=nginx:1.27', '--replicas=3', '--port=80'])).toContain('deployment.apps/web created');
    expect(await ok(['create', 'service', 'clusterip', 'web', '-n', 'shop', '--tcp=80:8080'])).toContain('service/web created');

    const cm = JSON.parse(await ok(['get', 'cm', 'cfg', '-n', 'shop', '-o', 'json']));
    expect(cm.data).toEqual({ a: '1', b: 'two' });
    const secret = JSON.parse(await ok(['get', 'secret', 'creds', '-n', 'shop', '-o', 'json']));
    expect(Buffer.from(secret.data.user, 'base64').toString()).toBe('admin');
    expect(secret.type).toBe('Opaque');
    const svc = rows(await ok(['get', 'svc', 'web', '-n', 'shop']));
    expect(svc[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(svc[1][4]).toBe('80/TCP');
  });

  it('the deployment gets a ReplicaSet and 3 Running pods', async () => {
    await eventually(async () => {
      const t = rows(await ok(['get', 'pods', '-n', 'shop', '-l', 'app=web']));
      return t.length === 4 && t.slice(1).every((r) => r[1] === '1/1' && r[2] === 'Running');
    });
    const pods = rows(await ok(['get', 'pods', '-n', 'shop']));
    expect(pods[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(pods[1][0]).toMatch(/^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
    const deploy = rows(await ok(['get', 'deploy', '-n', 'shop']));
    expect(deploy[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(deploy[1].slice(0, 4)).toEqual(['web', '3/3', '3', '3']);
    const rs = rows(await ok(['get', 'rs', '-n', 'shop']));
    expect(rs[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(rs[1].slice(1, 4)).toEqual(['3', '3', '3']);
  });

  it('get -A adds the NAMESPACE column; -o yaml prints the object', async () => {
    const t = rows(await ok(['get', 'pods', '-A']));
    expect(t[0]).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(t.slice(1).filter((r) => r[0] === 'shop')).toHaveLength(3);
    const yaml = await ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml']);
    expect(yaml).toContain('kind: Deployment');
    expect(yaml).toContain('image: nginx:1.27');
    expect(yaml).toContain('readyReplicas: 3');
  });

  it('label selectors with -l (equality and set-based)', async () => {
    const pod = (await ok(['get', 'pods', '-n', 'shop', '-o', 'name'])).trim().split('\n')[0];
    expect(await ok(['label', '-n', 'shop', pod, 'tier=frontend'])).toContain('labeled');
    const t = rows(await ok(['get', 'pods', '-n', 'shop', '-l', 'tier in (frontend,backend),app=web']));
    expect(t).toHaveLength(2);
    expect(`pod/${t[1][0]}`).toBe(pod);
    const rest = rows(await ok(['get', 'pods', '-n', 'shop', '-l', '!tier']));
    expect(rest).toHaveLength(3);
  });

  it('scale and delete cascade through the ReplicaSet', async () => {
    expect(await ok(['scale', 'deploy', 'web', '-n', 'shop', '--replicas=1'])).toContain('deployment.apps/web scaled');
    await eventually(async () => rows(await ok(['get', 'pods', '-n', 'shop'])).length === 2);
    expect(await ok(['delete', 'deploy', 'web', '-n', 'shop'])).toContain('deployment.apps "web" deleted');
    const r = await kubectl(['get', 'rs,pods', '-n', 'shop']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('No resources found in shop namespace.');
  });

  it('delete namespace removes its objects', async () => {
    expect(await ok(['delete', 'ns', 'shop'])).toContain('namespace "shop" deleted');
    const r = await kubectl(['get', 'cm', 'cfg', '-n', 'shop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound)');
  });

  it('creating in a missing namespace fails with NotFound', async () => {
    const r = await kubectl(['create', 'configmap', 'x', '-n', 'nowhere', '--from-literal=a=b']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('namespaces "nowhere" not found');
  });
});

const manifest = (replicas: number, mode: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: ghcr.io/example/api:1.0
        env:
        - {name: MODE, value: ${mode}}
        - {name: KEEP, value: "yes"}
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  key: value
`;

describe('kubectl apply, patch, label, describe, delete', () => {
  it('client-side apply: created, unchanged, configured', async () => {
    const first = await ok(['apply', '-f', '-'], manifest(2, 'prod'));
    expect(first).toContain('deployment.apps/api created');
    expect(first).toContain('configmap/api-config created');
    const second = await ok(['apply', '-f', '-'], manifest(2, 'prod'));
    expect(second).toContain('deployment.apps/api unchanged');
    expect(second).toContain('configmap/api-config unchanged');
    const third = await ok(['apply', '-f', '-'], manifest(3, 'staging'));
    expect(third).toContain('deployment.apps/api configured');
    expect(third).toContain('configmap/api-config unchanged');
    const d = JSON.parse(await ok(['get', 'deploy', 'api', '-o', 'json']));
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'staging' }, { name: 'KEEP', value: 'yes' }]);
    expect(d.metadata.generation).toBe(2);
  });

  it('server-side apply creates (201) and updates (200)', async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  x: "1"\n';
    expect(await ok(['apply', '--server-side', '-f', '-'], cm)).toContain('configmap/ssa serverside-applied');
    expect(await ok(['apply', '--server-side', '-f', '-'], cm.replace('"1"', '"2"'))).toContain('configmap/ssa serverside-applied');
    const got = JSON.parse(await ok(['get', 'cm', 'ssa', '-o', 'json']));
    expect(got.data).toEqual({ x: '2' });
    expect(audit.filter((e) => e.method === 'PATCH' && e.path.includes('/configmaps/ssa')).map((e) => e.code)).toEqual([201, 200]);
  });

  it('patch --type merge, strategic (default) and json', async () => {
    expect(await ok(['patch', 'deploy', 'api', '--type', 'merge', '-p', '{"metadata":{"labels":{"team":"core"}}}'])).toContain('deployment.apps/api patched');
    const strategic = '{"spec":{"template":{"spec":{"containers":[{"name":"api","image":"ghcr.io/example/api:2.0"}]}}}}';
    expect(await ok(['patch', 'deploy', 'api', '-p', strategic])).toContain('deployment.apps/api patched');
    expect(await ok(['patch', 'cm', 'api-config', '--type', 'json', '-p', '[{"op":"add","path":"/data/extra","value":"v"}]'])).toContain('patched');
    const d = JSON.parse(await ok(['get', 'deploy', 'api', '-o', 'json']));
    expect(d.metadata.labels).toEqual({ app: 'api', team: 'core' });
    const [c] = d.spec.template.spec.containers;
    expect(c.image).toBe('ghcr.io/example/api:2.0');
    expect(c.env).toHaveLength(2); // strategic merge kept the container's other fields
    expect(JSON.parse(await ok(['get', 'cm', 'api-config', '-o', 'json'])).data).toEqual({ key: 'value', extra: 'v' });
  });

  it('label and --overwrite', async () => {
    expect(await ok(['label', 'cm', 'api-config', 'color=blue'])).toContain('configmap/api-config labeled');
    const r = await kubectl(['label', 'cm', 'api-config', 'color=red']);
    expect(r.code).toBe(1);
    expect(await ok(['label', 'cm', 'api-config', 'color=red', '--overwrite'])).toContain('labeled');
    expect(await ok(['get', 'cm', '-l', 'color=red', '-o', 'name'])).toBe('configmap/api-config\n');
  });

  it('describe pod shows the simulated events', async () => {
    await eventually(async () => (await ok(['get', 'pods', '-l', 'app=api', '--field-selector', 'status.phase=Running', '-o', 'name'])).trim().split('\n').length === 3);
    const pod = (await ok(['get', 'pods', '-l', 'app=api', '-o', 'name'])).trim().split('\n')[0];
    const out = await ok(['describe', pod]);
    expect(out).toMatch(/Status:\s+Running/);
    expect(out).toMatch(/Node:\s+k3sdaas-dev/);
    expect(out).toMatch(/Controlled By:\s+ReplicaSet\/api-/);
    for (const reason of ['Scheduled', 'Pulled', 'Started']) expect(out).toContain(reason);
    expect(out).not.toContain('Events:  <none>');
  });

  it('logs returns what the simulated container wrote; logs -f follows it and exec runs in it (streams: kube-streams.test.ts)', async () => {
    const pod = (await ok(['get', 'pods', '-l', 'app=api', '-o', 'name'])).trim().split('\n')[0];
    expect(await ok(['logs', pod])).toContain('k3sdaas simulated api: no command given, serving HTTP on its declared ports until stopped');
    // the server never exits: the follow ends at --limit-bytes
    const follow = await kubectl(['logs', '-f', pod, '--limit-bytes=20']);
    expect(follow).toMatchObject({ code: 0, stdout: 'k3sdaas simulated ap' });
    const exec = await kubectl(['exec', pod, '--', 'echo', 'in', 'the', 'pod']);
    expect(exec).toMatchObject({ code: 0, stdout: 'in the pod\n' });
  });

  it('delete removes the object so the follow-up GET sees 404', async () => {
    expect(await ok(['delete', 'cm', 'api-config'])).toContain('configmap "api-config" deleted');
    const r = await kubectl(['get', 'cm', 'api-config']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): configmaps "api-config" not found');
    const d = await kubectl(['delete', 'cm', 'api-config']);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('Error from server (NotFound)');
  });

  it('run a bare pod and delete it', async () => {
    expect(await ok(['run', 'solo', '--image=nginx:1.27'])).toContain('pod/solo created');
    await eventually(async () => rows(await ok(['get', 'pod', 'solo']))[1][2] === 'Running');
    expect(await ok(['delete', 'pod', 'solo'])).toContain('pod "solo" deleted');
  });

  it('create twice is AlreadyExists; replace with a stale resourceVersion is a Conflict', async () => {
    await ok(['create', 'namespace', 'twice']);
    const again = await kubectl(['create', 'namespace', 'twice']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error from server (AlreadyExists): namespaces "twice" already exists');
    await ok(['create', 'configmap', 'rv', '--from-literal=a=1']);
    const current = JSON.parse(await ok(['get', 'cm', 'rv', '-o', 'json']));
    await ok(['patch', 'cm', 'rv', '--type', 'merge', '-p', '{"data":{"a":"2"}}']);
    const stale = await kubectl(['replace', '-f', '-'], JSON.stringify({ ...current, data: { a: '3' } }));
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('Error from server (Conflict)');
  });

  it('create --dry-run=server prints the object without storing it', async () => {
    const out = await ok(['create', 'configmap', 'dry', '--from-literal=a=b', '--dry-run=server', '-o', 'yaml']);
    expect(out).toContain('name: dry');
    expect((await kubectl(['get', 'cm', 'dry'])).code).toBe(1);
  });

  it('rollout status on a rolled-out deployment', async () => {
    await ok(['create', 'deployment', 'ro', '--image=nginx:1.27']);
    await eventually(async () => (await ok(['get', 'deploy', 'ro', '-o', 'jsonpath={.status.availableReplicas}'])) === '1');
    expect(await ok(['rollout', 'status', 'deploy/ro'])).toContain('deployment "ro" successfully rolled out');
  });

  it('set image, rollout history and rollout undo', async () => {
    await ok(['create', 'deployment', 'roll', '--image=nginx:1']);
    await eventually(async () => (await ok(['get', 'deploy', 'roll', '-o', 'jsonpath={.status.readyReplicas}'])) === '1');
    expect(await ok(['set', 'image', 'deploy/roll', 'nginx=nginx:2'])).toContain('deployment.apps/roll image updated');
    await eventually(async () => (await ok(['get', 'rs', '-l', 'app=roll', '-o', 'name'])).trim().split('\n').length === 2);
    expect(await ok(['rollout', 'history', 'deploy/roll'])).toMatch(/1\s+<none>\n2\s+<none>/);
    expect(await ok(['rollout', 'undo', 'deploy/roll'])).toContain('deployment.apps/roll rolled back');
    await eventually(async () => (await ok(['get', 'pods', '-l', 'app=roll', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])) === 'nginx:1');
    expect(rows(await ok(['get', 'rs', '-l', 'app=roll']))).toHaveLength(3); // the old ReplicaSet was reused
  });

  it('cordon / uncordon and expose', async () => {
    expect(await ok(['cordon', 'k3sdaas-dev'])).toContain('node/k3sdaas-dev cordoned');
    expect(rows(await ok(['get', 'nodes']))[1][1]).toBe('Ready,SchedulingDisabled');
    expect(await ok(['uncordon', 'k3sdaas-dev'])).toContain('node/k3sdaas-dev uncordoned');
    expect(await ok(['expose', 'deploy/roll', '--port=8080', '--name=roll-svc'])).toContain('service/roll-svc exposed');
    const svc = JSON.parse(await ok(['get', 'svc', 'roll-svc', '-o', 'json']));
    expect(svc.spec.selector).toEqual({ app: 'roll' });
    expect(svc.spec.clusterIP).toMatch(/^10\.43\./);
  });

  it('impersonation headers are accepted (and visible to the audit hook)', async () => {
    await ok(['get', 'pods', '--as', 'alice', '--as-group', 'devs', '--as-group', 'ops']);
    const entry = audit.findLast((e) => e.user === 'alice');
    expect(entry?.groups).toEqual(['devs', 'ops']);
  });
});
