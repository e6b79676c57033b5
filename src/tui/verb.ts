/**
 * What a Kubernetes API path means, derived the way the contract derives namespace and resource (docs/contract.md,
 * "Paths and verbs"), plus the object name and the kubectl-style verb (get vs list, create, delete, ...).
 */
import { parseRequestPath } from '../core/authz.js';

export interface RequestInfo {
  verb: string;
  namespace: string;
  /** `pods`, `pods/log`; empty for a non-resource path such as `/version`. */
  resource: string;
  name: string;
}

export function requestInfo(method: string, path: string): RequestInfo {
  const p = parseRequestPath(path.split('?')[0]);
  const m = method.toUpperCase();
  if (p.nonResource) return { verb: m.toLowerCase(), namespace: '', resource: '', name: '' };
  const name = p.name ?? '';
  return { verb: verbOf(m, name !== ''), namespace: p.namespace, resource: p.resource, name };
}

function verbOf(method: string, named: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
