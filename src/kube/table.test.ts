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
