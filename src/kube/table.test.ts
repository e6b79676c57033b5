import { describe, expect, it } from 'vitest';
import { humanDuration } from './age.js';
import { resourceForKind } from './registry.js';
import { toTable, wantsTable } from './table.js';
import type { KubeObject } from './types.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const now = Date.parse('2026-01-01T01:00:00Z');

describe('wantsTable', () => {
  it('recognises kubectl get Accept headers only', () => {
    expect(wantsTable(TABLE_ACCEPT)).toBe(true);
    expect(wantsTable('application/json')).toBe(false);
    expect(wantsTable(undefined)).toBe(false);
  });
});

describe('toTable', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', creationTimestamp: '2026-01-01T00:58:30Z', resourceVersion: '7', labels: { app: 'web' } },
    spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'n1' },
    status: { phase: 'Running', podIP: '10.42.0.3', containerStatuses: [{ name: 'a', ready: true, restartCount: 2 }, { name: 'b', ready: false, restartCount: 1 }] },
  };

  it('pods: NAME READY STATUS RESTARTS AGE (+ wide columns at priority 1)', () => {
    const t = toTable(resourceForKind('Pod'), [pod], { resourceVersion: '9', now }) as any;
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata.resourceVersion).toBe('9');
    expect(t.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    expect(t.rows[0].cells.slice(0, 5)).toEqual(['web-1', '1/2', 'Running', 3, '90s']);
    expect(t.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  });

  it('deployments: NAME READY UP-TO-DATE AVAILABLE AGE', () => {
    const d: KubeObject = { kind: 'Deployment', metadata: { name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { replicas: 3 }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
    const t = toTable(resourceForKind('Deployment'), [d], { resourceVersion: '1', now, includeObject: 'Object' }) as any;
    expect(t.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    expect(t.rows[0].cells.slice(0, 5)).toEqual(['web', '2/3', 3, 2, '60m']);
    expect(t.rows[0].object).toBe(d);
  });

  it('services print ports and cluster IP', () => {
    const s: KubeObject = { kind: 'Service', metadata: { name: 'web', creationTimestamp: '2026-01-01T00:59:00Z' }, spec: { type: 'NodePort', clusterIP: '10.43.0.5', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } };
    const t = toTable(resourceForKind('Service'), [s], { resourceVersion: '1', now }) as any;
    expect(t.rows[0].cells.slice(0, 6)).toEqual(['web', 'NodePort', '10.43.0.5', '<none>', '80:30080/TCP', '60s']);
  });
});

describe('humanDuration', () => {
  it('matches the apimachinery short format', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(150_000)).toBe('2m30s');
    expect(humanDuration(30 * 60_000)).toBe('30m');
    expect(humanDuration(5 * 3600_000 + 60_000)).toBe('5h1m');
    expect(humanDuration(30 * 3600_000)).toBe('30h');
    expect(humanDuration(3 * 86400_000)).toBe('3d');
    expect(humanDuration(400 * 86400_000)).toBe('400d');
  });
});

describe('printer columns of the other built-in kinds', () => {
  const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: '2026-01-01T00:58:30Z' });
  const cells = (kind: string, obj: Record<string, unknown>, wide = false) => {
    const t = toTable(resourceForKind(kind), [{ kind, metadata: meta('o'), ...obj } as KubeObject], { resourceVersion: '1', now }) as any;
    const cols = t.columnDefinitions as { name: string; priority: number }[];
    return Object.fromEntries(cols.map((c, i) => [c.name, t.rows[0].cells[i]]).filter((_, i) => wide || cols[i].priority === 0));
  };

  it('jobs: NAME STATUS COMPLETIONS DURATION AGE', () => {
    const job = { spec: { completions: 1 }, status: { succeeded: 1, startTime: '2026-01-01T00:58:30Z', completionTime: '2026-01-01T00:58:35Z', conditions: [{ type: 'Complete', status: 'True' }] } };
    expect(cells('Job', job)).toEqual({ Name: 'o', Status: 'Complete', Completions: '1/1', Duration: '5s', Age: '90s' });
    expect(cells('Job', { spec: {}, status: {} }).Status).toBe('Running');
  });

  it('cronjobs, statefulsets, daemonsets', () => {
    expect(cells('CronJob', { spec: { schedule: '*/5 * * * *' }, status: {} })).toEqual({ Name: 'o', Schedule: '*/5 * * * *', Timezone: '<none>', Suspend: 'False', Active: 0, 'Last Schedule': '<none>', Age: '90s' });
    expect(cells('StatefulSet', { spec: { replicas: 3 }, status: { readyReplicas: 2 } })).toEqual({ Name: 'o', Ready: '2/3', Age: '90s' });
    expect(Object.keys(cells('DaemonSet', { spec: {}, status: {} }))).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age']);
  });

  it('endpoints, endpointslices, pvc, pv', () => {
    const subsets = [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }] }];
    expect(cells('Endpoints', { subsets }).Endpoints).toBe('10.0.0.1:80,10.0.0.2:80');
    expect(cells('Endpoints', {}).Endpoints).toBe('<none>');
    const many = [{ addresses: [1, 2, 3, 4, 5].map((i) => ({ ip: `10.0.0.${i}` })), ports: [{ port: 80 }] }];
    expect(cells('Endpoints', { subsets: many }).Endpoints).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...');
    expect(cells('EndpointSlice', { addressType: 'IPv4', ports: [{ port: 80 }], endpoints: [{ addresses: ['10.0.0.1'] }] })).toMatchObject({ AddressType: 'IPv4', Ports: '80', Endpoints: '10.0.0.1' });
    const pvc = { spec: { storageClassName: 'local-path', volumeName: 'pv1' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } };
    expect(cells('PersistentVolumeClaim', pvc)).toEqual({ Name: 'o', Status: 'Bound', Volume: 'pv1', Capacity: '1Gi', 'Access Modes': 'RWO', StorageClass: 'local-path', VolumeAttributesClass: '<unset>', Age: '90s' });
    const pv = { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany'], claimRef: { namespace: 'default', name: 'data' } }, status: { phase: 'Bound' } };
    expect(cells('PersistentVolume', pv)).toMatchObject({ Capacity: '1Gi', 'Access Modes': 'RWX', 'Reclaim Policy': 'Retain', Status: 'Bound', Claim: 'default/data' });
  });

  it('hpa (v1 and v2 targets), rolebindings (wide subjects), pdb, ingress', () => {
    const v2 = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] }, status: { currentReplicas: 2 } };
    expect(cells('HorizontalPodAutoscaler', v2)).toEqual({ Name: 'o', Reference: 'Deployment/web', Targets: 'cpu: <unknown>/80%', MinPods: 1, MaxPods: 5, Replicas: 2, Age: '90s' });
    const v1 = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 }, status: { currentCPUUtilizationPercentage: 12 } };
    expect(cells('HorizontalPodAutoscaler', v1).Targets).toBe('cpu: 12%/50%');
    const rb = { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'bot', namespace: 'ci' }] };
    expect(cells('RoleBinding', rb, true)).toEqual({ Name: 'o', Role: 'ClusterRole/view', Age: '90s', Users: 'alice', Groups: '<none>', ServiceAccounts: 'ci/bot' });
    expect(cells('PodDisruptionBudget', { spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } })).toMatchObject({ 'Min Available': '50%', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 1 });
    expect(cells('Ingress', { spec: { ingressClassName: 'nginx', rules: [{ host: 'a.com' }, {}], tls: [{}] }, status: {} })).toMatchObject({ Class: 'nginx', Hosts: 'a.com,*', Address: '', Ports: '80, 443' });
  });

  it('storage classes mark the default one', () => {
    const sc = { provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' };
    expect(cells('StorageClass', sc)).toEqual({ Name: 'o', Provisioner: 'rancher.io/local-path', ReclaimPolicy: 'Delete', VolumeBindingMode: 'WaitForFirstConsumer', AllowVolumeExpansion: 'false', Age: '90s' });
    const t = toTable(resourceForKind('StorageClass'), [{ kind: 'StorageClass', metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, ...sc } as KubeObject], { resourceVersion: '1', now }) as any;
    expect(t.rows[0].cells[0]).toBe('local-path (default)');
  });
});
