import { describe, expect, it } from 'vitest';
import { aggregatedDiscovery, apiGroup, apiResourceList } from './discovery.js';
import { openApiV2Document, openApiV2Protobuf, openApiV3Document, openApiV3Index, schemaOf } from './openapi.js';
import { decodeMessage } from './protobuf.js';
import { resourcesOfCrd } from './crds.js';
import { RESOURCES, findResource, registerResource, resourceForKind, unregisterResources } from './registry.js';
import { componentName, modelClass } from './schemas/builtin.js';

type Schema = Record<string, any>;

/** Every `$ref` in a document, with where it points. */
function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refs(x, out);
    }
  }
  return out;
}

describe('built-in schemas from @kubernetes/client-node models', () => {
  it('every stored built-in resource has a model', () => {
    const missing = RESOURCES.filter((r) => !r.crd && !modelClass(r)).map((r) => `${r.group}/${r.version}/${r.kind}`);
    expect(missing).toEqual([]);
  });

  it('names components as kube-openapi does (last segment is the type name kubectl prints)', () => {
    expect(componentName('V1Container')).toBe('io.k8s.api.v1.Container');
    expect(componentName('CoreV1EndpointPort')).toBe('io.k8s.api.core.v1.EndpointPort');
    expect(componentName('V2HorizontalPodAutoscaler')).toBe('io.k8s.api.v2.HorizontalPodAutoscaler');
  });

  it('pod schema: upstream descriptions, required fields, arrays of refs wrapped in allOf', () => {
    const pod = schemaOf(resourceForKind('Pod'));
    expect(pod?.root['x-kubernetes-group-version-kind']).toEqual([{ group: '', version: 'v1', kind: 'Pod' }]);
    const spec = pod!.components['io.k8s.api.v1.PodSpec'] as Schema;
    expect(spec.required).toContain('containers');
    expect(spec.properties.containers.items).toEqual({ $ref: '#/components/schemas/io.k8s.api.v1.Container' });
    expect(spec.properties.containers.description).toMatch(/^List of containers belonging to the pod\./);
    const container = pod!.components['io.k8s.api.v1.Container'] as Schema;
    expect(container.properties.ports.items.$ref).toBe('#/components/schemas/io.k8s.api.v1.ContainerPort');
    expect(container.properties.resources.allOf[0].$ref).toBe('#/components/schemas/io.k8s.api.v1.ResourceRequirements');
    expect((pod!.components['io.k8s.api.v1.ContainerPort'] as Schema).properties.containerPort).toMatchObject({ type: 'integer', format: 'int32' });
    expect((pod!.components['io.k8s.api.v1.ObjectMeta'] as Schema).properties.labels).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
  });

  it('every $ref of every group-version document resolves inside it', () => {
    for (const [path] of Object.entries(openApiV3Index().paths as Record<string, unknown>)) {
      const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path)!;
      const doc = openApiV3Document(m[1] ? '' : m[2], m[1] ?? m[3]) as Schema;
      const names = new Set(Object.keys(doc.components.schemas));
      const dangling = refs(doc).filter((r) => !names.has(r.replace('#/components/schemas/', '')));
      expect(dangling, path).toEqual([]);
    }
  });

  it('v2 is the same schemas as a swagger document with #/definitions refs', () => {
    const v2 = openApiV2Document() as Schema;
    expect(v2.swagger).toBe('2.0');
    const deploy = v2.definitions['io.k8s.api.v1.Deployment'];
    expect(deploy['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    expect(deploy.properties.spec.$ref).toBe('#/definitions/io.k8s.api.v1.DeploymentSpec');
    expect(refs(v2).every((r) => r.startsWith('#/definitions/') && v2.definitions[r.slice(14)])).toBe(true);
  });

  it('v2 protobuf is a gnostic Document (swagger, info, paths) without definitions', () => {
    const doc = decodeMessage(openApiV2Protobuf(), { 1: ['swagger', 'string'], 2: ['info', { msg: { 1: ['title', 'string'], 2: ['version', 'string'] } }], 8: ['paths', { msg: {} }], 9: ['definitions', 'bytes'] });
    expect(doc).toEqual({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.4-k3sdaas' }, paths: {} });
  });

  it('the index follows the table: a custom resource adds its group-version, removing it takes it away', () => {
    const before = openApiV3Index();
    expect(openApiV3Index()).toEqual(before);
    const [gadget] = resourcesOfCrd({
      metadata: { name: 'gadgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'gadgets', kind: 'Gadget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } } }] },
    });
    registerResource(gadget);
    try {
      const paths = openApiV3Index().paths as Record<string, { serverRelativeURL: string }>;
      expect(paths['apis/example.com/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/example.com\/v1\?hash=[0-9A-F]{128}$/);
      const doc = openApiV3Document('example.com', 'v1') as Schema;
      expect(doc.components.schemas['com.example.v1.Gadget']['x-kubernetes-group-version-kind']).toEqual([{ group: 'example.com', version: 'v1', kind: 'Gadget' }]);
      expect(doc.components.schemas['com.example.v1.Gadget'].properties.metadata.allOf[0].$ref).toBe('#/components/schemas/io.k8s.api.v1.ObjectMeta');
    } finally {
      unregisterResources('gadgets.example.com');
    }
    expect(openApiV3Index()).toEqual(before);
    expect(openApiV3Document('example.com', 'v1')).toBeUndefined();
  });
});

describe('discovery from the table', () => {
  it('review kinds are create-only; autoscaling prefers v2 and still serves v1', () => {
    const authz = apiResourceList('authorization.k8s.io', 'v1') as Schema;
    expect(authz.resources.find((r: Schema) => r.name === 'selfsubjectaccessreviews').verbs).toEqual(['create']);
    expect((apiGroup('autoscaling') as Schema).preferredVersion).toEqual({ groupVersion: 'autoscaling/v2', version: 'v2' });
    expect(findResource('autoscaling', 'v1', 'horizontalpodautoscalers')?.kind).toBe('HorizontalPodAutoscaler');
  });

  it('subresources carry their own kinds (token, eviction, approval, scale)', () => {
    const core = aggregatedDiscovery(true) as Schema;
    const v1 = core.items[0].versions[0].resources;
    const sa = v1.find((r: Schema) => r.resource === 'serviceaccounts');
    expect(sa.subresources).toEqual([{ subresource: 'token', responseKind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] }]);
    const pods = v1.find((r: Schema) => r.resource === 'pods');
    expect(pods.subresources.find((s: Schema) => s.subresource === 'eviction').responseKind).toEqual({ group: 'policy', version: 'v1', kind: 'Eviction' });
    const csr = apiResourceList('certificates.k8s.io', 'v1') as Schema;
    expect(csr.resources.find((r: Schema) => r.name === 'certificatesigningrequests/approval')).toMatchObject({ kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'] });
  });
});
