/** Maps request paths (`/api/v1/namespaces/x/pods/y/log`, `/apis/apps/v1/deployments`) to resources. */
import { findResource, type ResourceDef } from './registry.js';
import { KubeApiError } from './status.js';

export interface ResourceRoute {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface GroupVersionPath {
  group: string;
  version: string;
  rest: string[];
}

export function notFoundPath(path: string): KubeApiError {
  return new KubeApiError(404, 'NotFound', `the server could not find the requested resource (path ${path})`, {});
}

/** Splits `/api/v1/...` or `/apis/<group>/<version>/...`; undefined for other paths. */
export function parseGroupVersion(pathname: string): GroupVersionPath | undefined {
  const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (segs[0] === 'api' && segs.length >= 2) return { group: '', version: segs[1], rest: segs.slice(2) };
  if (segs[0] === 'apis' && segs.length >= 3) return { group: segs[1], version: segs[2], rest: segs.slice(3) };
  return undefined;
}

export function parseResourceRoute(gv: GroupVersionPath, pathname: string): ResourceRoute {
  const { group, version, rest } = gv;
  let route: ResourceRoute | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && findResource(group, version, rest[2])) {
    const def = findResource(group, version, rest[2]);
    if (def?.namespaced && rest.length <= 5) route = { def, namespace: rest[1], name: rest[3], subresource: rest[4] };
  } else {
    const def = findResource(group, version, rest[0]);
    if (def && rest.length <= 3) route = { def, name: rest[1], subresource: rest[2] };
    if (def?.namespaced && route?.name) route = undefined;
  }
  if (!route) throw notFoundPath(pathname);
  if (route.subresource && !route.def.subresources.includes(route.subresource)) throw notFoundPath(pathname);
  return route;
}

/** The discovery verb a request on the main resource maps to (`list`/`watch` on collections, `get` on items, …). */
export function requestVerb(method: string, route: ResourceRoute, query: URLSearchParams): string {
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
      return watch ? 'watch' : route.name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** Refuses (405, as kube-apiserver does) a verb the resource does not serve, e.g. GET on a create-only review kind. */
export function requireVerb(method: string, route: ResourceRoute, query: URLSearchParams): void {
  if (route.subresource) return;
  const verb = requestVerb(method, route, query);
  if (!route.def.verbs.includes(verb) || (verb === 'create' && route.name)) {
    throw new KubeApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {
      ...(route.name ? { name: route.name } : {}),
      group: route.def.group || undefined,
      kind: route.def.plural,
    });
  }
}
