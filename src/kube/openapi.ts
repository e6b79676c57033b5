/**
 * OpenAPI v3 (one document per group-version, plus the index) and v2 (one swagger document) with the schemas of
 * every served kind: built-in kinds from schemas/builtin.ts, custom resources from their CRD's openAPIV3Schema.
 * Each kind's schema carries `x-kubernetes-group-version-kind` (what `kubectl explain` and validation look up) and
 * each path item the `fieldValidation` parameter (what tells kubectl the server validates fields itself).
 *
 * The PATCH request bodies list no `application/strategic-merge-patch+json`, and v2 is served as JSON only: the
 * schemas carry no patch-merge keys, so kubectl's client-side apply keeps computing patches from its compiled-in
 * types instead of from these documents.
 */
import { createHash } from 'node:crypto';
import { json, type Reply } from './reply.js';
import { KubeApiError } from './status.js';
import { RESOURCES, groupVersions, registryGeneration, type ResourceDef } from './registry.js';
import { builtinSchema, componentsFor, type Schema } from './schemas/builtin.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const QUERY_PARAMS = ['fieldValidation', 'fieldManager', 'dryRun', 'force', 'pretty'];
const OBJECT_META = 'V1ObjectMeta';

function itemPath(r: ResourceDef): string {
  const base = `/${gvPath(r.group, r.version)}`;
  return r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}/{name}` : `${base}/${r.plural}/{name}`;
}

function collectionPath(r: ResourceDef): string {
  const base = `/${gvPath(r.group, r.version)}`;
  return r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
}

function gvk(r: ResourceDef) {
  return { group: r.group, version: r.version, kind: r.kind };
}

function operation(r: ResourceDef, verb: string, body: string[]): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${schemaName(r)}` };
  return {
    operationId: `${verb}${r.kind}`,
    'x-kubernetes-action': verb,
    'x-kubernetes-group-version-kind': gvk(r),
    parameters: QUERY_PARAMS.map((name) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } })),
    ...(body.length ? { requestBody: { content: Object.fromEntries(body.map((t) => [t, { schema: verb === 'patch' ? { type: 'object' } : ref }])) } } : {}),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
  };
}

/** `example.com` + `v1` + `Widget` → `com.example.v1.Widget` (how kube-apiserver names custom resource schemas). */
function crdSchemaName(r: ResourceDef): string {
  return `${r.group.split('.').reverse().join('.')}.${r.version}.${r.kind}`;
}

const builtinNames = new Map<string, string | undefined>();

function schemaName(r: ResourceDef): string {
  if (r.crd) return crdSchemaName(r);
  const key = `${r.group}/${r.version}/${r.kind}`;
  if (!builtinNames.has(key)) builtinNames.set(key, builtinSchema(r)?.root);
  return builtinNames.get(key) ?? crdSchemaName(r);
}

/** The structural schema a custom resource is served with: the CRD's schema plus apiVersion/kind/metadata. */
function customSchema(r: ResourceDef): Schema {
  const s = (r.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as Schema;
  const props = (s.properties ?? {}) as Record<string, Schema>;
  return {
    ...s,
    type: 'object',
    properties: {
      ...props,
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.v1.ObjectMeta' }], description: "Standard object's metadata." },
    },
  };
}

/** The schema components of some resources, each kind's root tagged with its group-version-kind. */
export function schemasFor(rs: readonly ResourceDef[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const roots = new Map<string, ResourceDef[]>();
  const merge = (components: Map<string, Schema>) => {
    for (const [k, v] of components) out[k] ??= v;
  };
  merge(componentsFor([OBJECT_META]));
  for (const r of rs) {
    const name = schemaName(r);
    if (r.crd) out[name] = customSchema(r);
    else merge(builtinSchema(r)?.components ?? new Map());
    roots.set(name, [...(roots.get(name) ?? []), r]);
  }
  for (const [name, defs] of roots) {
    if (out[name]) out[name] = { ...out[name], 'x-kubernetes-group-version-kind': defs.map(gvk) };
  }
  return out;
}

const cache = new Map<string, { generation: number; doc: Record<string, unknown> | undefined; hash: string }>();

function cached(key: string, build: () => Record<string, unknown> | undefined) {
  const hit = cache.get(key);
  if (hit && hit.generation === registryGeneration()) return hit;
  const doc = build();
  const entry = { generation: registryGeneration(), doc, hash: doc ? hashOf(doc) : '' };
  cache.set(key, entry);
  return entry;
}

function buildV3(group: string, version: string): Record<string, unknown> | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const writeBody = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
  const patchBody = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
  for (const r of rs) {
    const nsParam = r.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : [];
    if (!r.verbs.includes('get')) {
      paths[collectionPath(r)] = { post: operation(r, 'post', writeBody), parameters: nsParam };
      continue;
    }
    paths[collectionPath(r)] = { get: operation(r, 'list', []), post: operation(r, 'post', writeBody), parameters: nsParam };
    paths[itemPath(r)] = {
      get: operation(r, 'get', []),
      put: operation(r, 'put', writeBody),
      patch: operation(r, 'patch', patchBody),
      delete: operation(r, 'delete', []),
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }, ...nsParam],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4-k3sdaas' },
    paths,
    components: { schemas: schemasFor(rs) },
  };
}

/** The OpenAPI v3 document of one group-version, or undefined when not served. */
export function openApiV3Document(group: string, version: string): Record<string, unknown> | undefined {
  return cached(`v3:${group}/${version}`, () => buildV3(group, version)).doc;
}

function hashOf(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase().slice(0, 128);
}

/** `/openapi/v3`: the index of group-version documents with their content hashes. */
export function openApiV3Index(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const gv of groupVersions()) {
    const p = gvPath(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${cached(`v3:${gv.group}/${gv.version}`, () => buildV3(gv.group, gv.version)).hash}` };
  }
  return { paths };
}

/** Parses `/openapi/v3/api/v1` or `/openapi/v3/apis/apps/v1` into a group-version. */
export function parseOpenApiPath(path: string): { group: string; version: string } | undefined {
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  return m[1] ? { group: '', version: m[1] } : { group: m[2], version: m[3] };
}

function toSwagger(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toSwagger);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // Swagger 2.0 has no allOf-wrapped refs with siblings in kube's v2 output: a plain $ref with the description beside.
    if (Array.isArray(o.allOf) && o.allOf.length === 1 && (o.allOf[0] as Schema).$ref) {
      return { ...toSwagger({ ...o, allOf: undefined }) as object, $ref: String((o.allOf[0] as Schema).$ref).replace('#/components/schemas/', '#/definitions/') };
    }
    return Object.fromEntries(
      Object.entries(o)
        .filter(([, x]) => x !== undefined)
        // (JSONSchemaProps has a *property* named $ref: only string values are references.)
        .map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? x.replace('#/components/schemas/', '#/definitions/') : toSwagger(x)]),
    );
  }
  return v;
}

/** `/openapi/v2` as a Swagger 2.0 JSON document (definitions only: kubectl reads kinds from it, not paths). */
export function openApiV2Document(): Record<string, unknown> {
  return cached('v2', () => ({
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.4-k3sdaas' },
    paths: {},
    definitions: toSwagger(schemasFor(RESOURCES)),
  })).doc as Record<string, unknown>;
}

/** The served schema of a kind (root component plus every component it references). */
export function schemaOf(r: ResourceDef): { root: Schema; components: Record<string, Schema> } | undefined {
  const doc = openApiV3Document(r.group, r.version) as { components: { schemas: Record<string, Schema> } } | undefined;
  const components = doc?.components.schemas ?? {};
  const root = components[schemaName(r)];
  return root ? { root, components } : undefined;
}


/** What kubectl asks for (the deprecated spelling, which Go's mime parser rejects) and what kube-openapi answers with. */
export const OPENAPI_V2_PROTOBUF_ACCEPT = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'];
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function protoField(field: number, value: Buffer): Buffer {
  const len: number[] = [];
  for (let n = value.length; ; n >>>= 7) {
    if (n < 0x80) {
      len.push(n);
      break;
    }
    len.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), value]);
}

/**
 * `/openapi/v2` in gnostic's protobuf encoding (openapi_v2.Document: swagger = 1, info = 2 {title = 1, version = 2},
 * paths = 8), carrying no definitions. kubectl reads this form for two things only: computing client-side apply
 * patches (it would treat every list as atomic, as these schemas carry no patch-merge keys, where its compiled-in
 * types merge `containers` by name) and validating `kind: List` files client-side. With no definitions it computes
 * patches from its compiled-in types and leaves List items to the server's strict field validation, as their
 * documents are posted one by one. The JSON form carries every definition.
 */
export function openApiV2Protobuf(): Buffer {
  const info = Buffer.concat([protoField(1, Buffer.from('Kubernetes')), protoField(2, Buffer.from('v1.32.4-k3sdaas'))]);
  return Buffer.concat([protoField(1, Buffer.from('2.0')), protoField(2, info), protoField(8, Buffer.alloc(0))]);
}

/** `/openapi/v2`: gnostic protobuf when kubectl asks for it (its typed OpenAPI getter does), Swagger JSON otherwise. */
export function openApiV2Reply(accept: string | undefined): Reply {
  const types = (accept ?? '*/*').split(',').map((t) => t.split(';')[0].trim());
  if (types.some((t) => OPENAPI_V2_PROTOBUF_ACCEPT.includes(t))) return { code: 200, body: openApiV2Protobuf(), contentType: OPENAPI_V2_PROTOBUF };
  if (!types.some((t) => t === 'application/json' || t === '*/*' || t === 'application/*')) {
    throw new KubeApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json, ${OPENAPI_V2_PROTOBUF}`);
  }
  return json(200, openApiV2Document());
}
