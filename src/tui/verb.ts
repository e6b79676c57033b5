/**
 * What a Kubernetes API path means, derived the way the contract derives namespace and resource (docs/contract.md,
 * "Roles and verbs"), plus the object name and the kubectl-style verb (get vs list, create, delete, ...).
 */
export interface RequestInfo {
  verb: string;
  namespace: string;
  /** `pods`, `pods/log`; empty for a non-resource path such as `/version`. */
  resource: string;
  name: string;
}

export function requestInfo(method: string, path: string): RequestInfo {
  const segments = path.split('?')[0].split('/').filter(Boolean);
  const rest = segments[0] === 'api' ? segments.slice(2) : segments[0] === 'apis' ? segments.slice(3) : [];
  const m = method.toUpperCase();
  if (rest.length === 0) return { verb: m.toLowerCase(), namespace: '', resource: '', name: '' };
  let namespace = '';
  let parts = rest;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    parts = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length === 2) {
    namespace = rest[1];
  }
  const [base, name = '', sub] = parts;
  const resource = sub ? `${base}/${sub}` : base;
  return { verb: verbOf(m, name !== ''), namespace, resource, name };
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
