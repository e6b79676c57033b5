import { describe, expect, it } from 'vitest';
import { jsonPath, resourcesOfCrd } from './crds.js';
import { toTable } from './table.js';
import { toServedVersion } from './versions.js';
import { findResource } from './registry.js';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Cluster',
    names: { plural: 'gadgets', kind: 'Gadget', categories: ['all'] },
    versions: [
      { name: 'v1alpha1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      { name: 'v1', served: true, storage: true, subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
        additionalPrinterColumns: [{ name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' }, { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }],
        schema: { openAPIV3Schema: { type: 'object' } } },
      { name: 'v2beta1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
    ],
  },
};

describe('CRD → resource table entries', () => {
  it('served versions only, preferred (GA over alpha) first, scope, names and subresources', () => {
    const defs = resourcesOfCrd(crd);
    expect(defs.map((d) => d.version)).toEqual(['v1', 'v1alpha1']);
    expect(defs[0]).toMatchObject({ group: 'example.com', kind: 'Gadget', plural: 'gadgets', singular: 'gadget', namespaced: false, categories: ['all'], subresources: ['status', 'scale'], crd: 'gadgets.example.com' });
    expect(defs[1].subresources).toEqual([]);
  });

  it('printer columns from additionalPrinterColumns (JSONPath with filters); NAME AGE by default', () => {
    const [v1, alpha] = resourcesOfCrd(crd);
    const obj = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { replicas: 2 }, status: { conditions: [{ type: 'Other', status: 'False' }, { type: 'Ready', status: 'True' }] } };
    const t = toTable(v1, [obj], { resourceVersion: '1', now: Date.parse('2026-01-01T00:01:00Z') }) as any;
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Ready', 'Replicas']);
    expect(t.rows[0].cells).toEqual(['g', 'True', 2]);
    const a = toTable(alpha, [obj], { resourceVersion: '1', now: Date.parse('2026-01-01T00:01:00Z') }) as any;
    expect(a.rows[0].cells).toEqual(['g', '60s']);
  });

  it('jsonPath subset', () => {
    const o = { a: { b: [{ k: 'x', v: 1 }, { k: 'y', v: 2 }] } };
    expect(jsonPath(o, '.a.b[1].v')).toEqual([2]);
    expect(jsonPath(o, '.a.b[?(@.k=="x")].v')).toEqual([1]);
    expect(jsonPath(o, '.a.b[*].k')).toEqual(['x', 'y']);
    expect(jsonPath(o, '.a.missing')).toEqual([]);
  });
});

describe('version conversion', () => {
  it('HPA autoscaling/v1 ⇄ v2 keeps the CPU target', () => {
    const v2 = findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
    const v1 = findResource('autoscaling', 'v1', 'horizontalpodautoscalers')!;
    const stored = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { maxReplicas: 3, minReplicas: 1, targetCPUUtilizationPercentage: 50, scaleTargetRef: { kind: 'Deployment', name: 'x' } }, status: { currentReplicas: 1, desiredReplicas: 1 } };
    const asV2 = toServedVersion(v2, stored) as any;
    expect(asV2.apiVersion).toBe('autoscaling/v2');
    expect(asV2.spec).toEqual({ maxReplicas: 3, minReplicas: 1, scaleTargetRef: { kind: 'Deployment', name: 'x' }, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] });
    expect(toServedVersion(v1, asV2)).toEqual(stored);
    expect(toServedVersion(v1, stored)).toBe(stored);
  });
});
