/**
 * The K3s-DaaS authorization rules (docs/contract.md, "Roles and verbs") as pure functions: localnet's twin of the
 * Move package runs them, and `watch` labels requests with the same path parser. (Clients rely on the SDK's
 * simulation instead, which refuses a transaction that would abort before anything is paid.) The first failing
 * check decides the error, in the same order as the Move code.
 */
import { MAX_PATH, ROLES } from './abi/package.js';

export const READ_METHODS = ['GET', 'HEAD'] as const;
export const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof READ_METHODS)[number] | (typeof WRITE_METHODS)[number];

export interface RequestPath {
  /** `ns` of `namespaces/{ns}/...`, the name of a namespace itself (also for `namespaces/{ns}/status|finalize`), else `""`. */
  namespace: string;
  /** `resource`, or `resource/sub` when a subresource is present (e.g. `pods/log`); `""` for non-resource paths. */
  resource: string;
  /** The resource without its subresource (`pods` for `pods/log`). */
  baseResource: string;
  name?: string;
  subresource?: string;
  /** `/version`, `/openapi/v3`, `/apis`, `/api/v1`, ...: no resource. */
  nonResource: boolean;
}

/** Whether `method` is a read (`GET`, `HEAD`). Methods are case-sensitive, as in Move. */
export function isReadMethod(method: string): boolean {
  return (READ_METHODS as readonly string[]).includes(method);
}

/** Whether `method` is a write (`POST`, `PUT`, `PATCH`, `DELETE`). */
export function isWriteMethod(method: string): boolean {
  return (WRITE_METHODS as readonly string[]).includes(method);
}

/** Whether `method` is one the contract accepts at all. */
export function isValidMethod(method: string): method is HttpMethod {
  return isReadMethod(method) || isWriteMethod(method);
}

/** One path segment: RFC 3986 `pchar` without percent-encoding (ASCII letters, digits, `-._~!$&'()*+,;=:@`). */
const PATH_SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/;

/**
 * Whether the contract accepts `path` (access::is_valid_path), i.e. whether the enclave host forwards it unchanged:
 * at most MAX_PATH bytes, `/` alone or `/`-separated segments, each non-empty (no `//`, no trailing `/`), neither
 * `.` nor `..`, and made of `pchar` bytes without percent-encoding. So `..`, `%2e%2e`, `//host`, a query, a
 * fragment, `\`, spaces, control and non-ASCII characters are all refused.
 */
export function isValidPath(path: string): boolean {
  if (path === '/') return true;
  // Every accepted character is ASCII, so the UTF-16 length is the UTF-8 length whenever it matters.
  if (!path.startsWith('/') || path.length > MAX_PATH) return false;
  return path
    .slice(1)
    .split('/')
    .every((segment) => segment !== '.' && segment !== '..' && PATH_SEGMENT.test(segment));
}

/** Segments after `namespaces/{ns}/` naming a subresource of the namespace, not a namespaced resource. */
const NAMESPACE_SUBRESOURCES: ReadonlySet<string> = new Set(['status', 'finalize']);

const NON_RESOURCE: RequestPath = { namespace: '', resource: '', baseResource: '', nonResource: true };

/**
 * Derives namespace and resource from a Kubernetes API path, exactly like the contract. Does not validate (see
 * `isValidPath`); the query string, if any, is not stripped.
 */
export function parseRequestPath(path: string): RequestPath {
  const segments = path.split('/').filter((s) => s.length > 0);
  let parts: string[];
  if (segments[0] === 'api') parts = segments.slice(2);
  else if (segments[0] === 'apis') parts = segments.slice(3);
  else return { ...NON_RESOURCE };
  if (parts.length === 0) return { ...NON_RESOURCE };

  let namespace = '';
  // `namespaces/{ns}/status` and `namespaces/{ns}/finalize` are subresources of the namespace object itself
  // (Kubernetes' namespaceSubresources): resource `namespaces/status`, name and namespace `ns`.
  if (parts[0] === 'namespaces' && parts.length >= 3 && !NAMESPACE_SUBRESOURCES.has(parts[2])) {
    namespace = parts[1];
    parts = parts.slice(2);
  } else if (parts[0] === 'namespaces' && parts.length >= 2) {
    namespace = parts[1];
  }
  const baseResource = parts[0];
  const name = parts.length >= 2 ? parts[1] : undefined;
  const subresource = parts.length >= 3 ? parts[2] : undefined;
  const out: RequestPath = {
    namespace,
    resource: subresource === undefined ? baseResource : `${baseResource}/${subresource}`,
    baseResource,
    nonResource: false,
  };
  if (name !== undefined) out.name = name;
  if (subresource !== undefined) out.subresource = subresource;
  return out;
}

export type AuthzErrorName =
  | 'EInvalidMethod'
  | 'EInvalidPath'
  | 'EInvalidRole'
  | 'ERoleCannotWrite'
  | 'ERoleCannotReadSecrets'
  | 'ERoleCannotWriteClusterScoped'
  | 'ERoleCannotProxy'
  | 'EInsufficientWriteStake';

/** Abort codes of the errors above, with the Move module that defines them. */
export const AUTHZ_ERRORS: Record<AuthzErrorName, { module: 'request' | 'access'; code: number }> = {
  EInvalidMethod: { module: 'request', code: 0 },
  EInvalidPath: { module: 'request', code: 1 },
  EInvalidRole: { module: 'access', code: 0 },
  ERoleCannotWrite: { module: 'access', code: 5 },
  ERoleCannotReadSecrets: { module: 'access', code: 6 },
  ERoleCannotWriteClusterScoped: { module: 'access', code: 7 },
  EInsufficientWriteStake: { module: 'access', code: 8 },
  ERoleCannotProxy: { module: 'access', code: 10 },
};

export interface AuthorizeInput {
  /** 0 viewer, 1 editor, 2 admin. */
  role: number;
  method: string;
  path: string;
  /** MIST the token currently has staked. */
  stakeAmount: bigint | number;
  /** `cluster.min_write_stake`. */
  minWriteStake: bigint | number;
}

export type AuthorizeResult =
  | { ok: true; namespace: string; resource: string; read: boolean; parsed: RequestPath }
  | { ok: false; error: AuthzErrorName; module: 'request' | 'access'; code: number };

function deny(error: AuthzErrorName): AuthorizeResult {
  return { ok: false, error, ...AUTHZ_ERRORS[error] };
}

/**
 * Validates `method` and `path` (request::EInvalidMethod, request::EInvalidPath) and applies the role rules
 * (access::*), in the contract's order.
 */
export function authorize(input: AuthorizeInput): AuthorizeResult {
  if (!isValidMethod(input.method)) return deny('EInvalidMethod');
  if (!isValidPath(input.path)) return deny('EInvalidPath');
  return authorizeRole(input);
}

/** The role rules only (access::authorize), for a method and path already validated. */
export function authorizeRole(input: AuthorizeInput): AuthorizeResult {
  const { role, method, path } = input;
  if (role !== ROLES.viewer && role !== ROLES.editor && role !== ROLES.admin) return deny('EInvalidRole');
  const read = isReadMethod(method);
  const parsed = parseRequestPath(path);
  if (parsed.nonResource) {
    if (!read && role !== ROLES.admin) return deny('ERoleCannotWrite');
  } else if (role === ROLES.viewer) {
    if (!read) return deny('ERoleCannotWrite');
    if (parsed.baseResource === 'secrets') return deny('ERoleCannotReadSecrets');
    if (parsed.subresource === 'proxy') return deny('ERoleCannotProxy');
  } else if (role === ROLES.editor) {
    // `nodes/proxy` (the kubelet) and other cluster-scoped proxies are for admins only.
    if (parsed.subresource === 'proxy' && parsed.namespace === '') return deny('ERoleCannotProxy');
    // The `namespaces` resource is cluster-scoped even though its namespace is the object's name.
    if (!read && (parsed.namespace === '' || parsed.baseResource === 'namespaces')) return deny('ERoleCannotWriteClusterScoped');
  }
  if (!read && BigInt(input.stakeAmount) < BigInt(input.minWriteStake)) return deny('EInsufficientWriteStake');
  return { ok: true, namespace: parsed.namespace, resource: parsed.resource, read, parsed };
}
