import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, mergeKeyFor, strategicMerge } from './patch.js';

const deployment = {
  metadata: { name: 'api', labels: { app: 'api' } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: 'api', image: 'api:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 8080 }] },
          { name: 'sidecar', image: 'side:1' },
        ],
      },
    },
  },
};

describe('JSON patch', () => {
  it('add / replace / remove / move / copy / test', () => {
    const out = applyJsonPatch({ a: { b: 1 }, list: [1, 2] }, [
      { op: 'add', path: '/a/c', value: 2 },
      { op: 'replace', path: '/a/b', value: 3 },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'remove', path: '/list/0' },
      { op: 'copy', from: '/a/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'test', path: '/e', value: 2 },
    ]);
    expect(out).toEqual({ a: { b: 3, c: 2 }, list: [2, 3], e: 2 });
  });

  it('fails on missing paths and failed tests', () => {
    expect(() => applyJsonPatch({}, [{ op: 'remove', path: '/nope' }])).toThrow(/missing key/);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/test/);
  });

  it('unescapes ~1 and ~0 in pointers', () => {
    expect(applyJsonPatch({ m: {} }, [{ op: 'add', path: '/m/a~1b~0c', value: 1 }])).toEqual({ m: { 'a/b~c': 1 } });
  });
});

describe('JSON merge patch', () => {
  it('merges maps, replaces lists, deletes nulls', () => {
    const out = applyMergePatch(deployment, { metadata: { labels: { app: null, tier: 'x' } }, spec: { template: { spec: { containers: [] } } } }) as any;
    expect(out.metadata.labels).toEqual({ tier: 'x' });
    expect(out.spec.template.spec.containers).toEqual([]);
    expect(out.spec.replicas).toBe(2);
  });
});

describe('strategic merge patch', () => {
  it('merges containers by name and env by name', () => {
    const out = strategicMerge(deployment, {
      spec: { template: { spec: { containers: [{ name: 'api', image: 'api:2', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }] } } },
    }) as any;
    const [api, sidecar] = out.spec.template.spec.containers;
    expect(api.image).toBe('api:2');
    expect(api.env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]);
    expect(api.ports).toEqual([{ containerPort: 8080 }]);
    expect(sidecar).toEqual({ name: 'sidecar', image: 'side:1' });
  });

  it('honours $patch delete / replace, $setElementOrder and $retainKeys', () => {
    const out = strategicMerge(deployment, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'api' }],
            containers: [{ name: 'api', env: [{ name: 'A', $patch: 'delete' }] }],
          },
        },
      },
      metadata: { labels: { $patch: 'replace', only: 'this' } },
    }) as any;
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['sidecar', 'api']);
    expect(out.spec.template.spec.containers[1].env).toEqual([{ name: 'B', value: '2' }]);
    expect(out.metadata.labels).toEqual({ only: 'this' });
    expect(JSON.stringify(out)).not.toContain('$');
    const retained = strategicMerge({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }, { strategy: { $retainKeys: ['type'], type: 'Recreate' } });
    expect(retained).toEqual({ strategy: { type: 'Recreate' } });
  });

  it('deletes keys set to null and removes values from primitive lists', () => {
    const out = strategicMerge({ metadata: { finalizers: ['a', 'b'], labels: { x: '1' } } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], labels: { x: null } } });
    expect(out).toEqual({ metadata: { finalizers: ['b'], labels: {} } });
  });

  it('picks the ports merge key by context', () => {
    expect(mergeKeyFor('ports', ['spec', 'template', 'spec', 'containers'])).toBe('containerPort');
    expect(mergeKeyFor('ports', ['spec'])).toBe('port');
    const svc = strategicMerge({ spec: { ports: [{ port: 80, name: 'http' }] } }, { spec: { ports: [{ port: 443, name: 'https' }] } });
    expect(svc).toEqual({ spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] } });
  });
});
