/**
 * A minimal OpenAPI v3 surface: enough for kubectl to confirm that each kind supports the `fieldValidation` query
 * parameter (server-side validation). No schemas and no strategic-merge content type, so kubectl's client-side
 * apply computes patches from its compiled-in types.
 */
import { createHash } from 'node:crypto';
import { RESOURCES, groupVersions, type ResourceDef } from './registry.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const QUERY_PARAMS = ['fieldValidation', 'fieldManager', 'dryRun', 'force', 'pretty'];

function itemPath(r: ResourceDef): string {
  const base = `/${gvPath(r.group, r.version)}`;
  return r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}/{name}` : `${base}/${r.plural}/{name}`;
}

function operation(r: ResourceDef, verb: string, withBody: boolean): Record<string, unknown> {
  return {
    operationId: `${verb}${r.kind}`,
    'x-kubernetes-action': verb,
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
    parameters: QUERY_PARAMS.map((name) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } })),
    ...(withBody
      ? {
          requestBody: {
            content: Object.fromEntries(
              ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'].map((t) => [t, { schema: { type: 'object' } }]),
            ),
          },
        }
      : {}),
    responses: { '200': { description: 'OK' } },
  };
}

/** The OpenAPI v3 document of one group-version, or undefined when not served. */
export function openApiV3Document(group: string, version: string): Record<string, unknown> | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of rs) {
    paths[itemPath(r)] = {
      get: operation(r, 'get', false),
      put: operation(r, 'put', false),
      patch: operation(r, 'patch', true),
      delete: operation(r, 'delete', false),
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ...(r.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : []),
      ],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4-k3sdaas' },
    paths,
    components: { schemas: {} },
  };
}

function hashOf(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase().slice(0, 128);
}

/** `/openapi/v3`: the index of group-version documents with their content hashes. */
export function openApiV3Index(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const gv of groupVersions()) {
    const p = gvPath(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(openApiV3Document(gv.group, gv.version))}` };
  }
  return { paths };
}

/** Parses `/openapi/v3/api/v1` or `/openapi/v3/apis/apps/v1` into a group-version. */
export function parseOpenApiPath(path: string): { group: string; version: string } | undefined {
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  return m[1] ? { group: '', version: m[1] } : { group: m[2], version: m[3] };
}
