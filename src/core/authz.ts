/**
 * The K3s-DaaS authorization rules (docs/contract.md, "Paths and verbs" and "The tenancy model") as pure functions: localnet's twin of the
 * Move package runs them, and `watch` labels requests with the same path parser. (Clients rely on the SDK's
 * simulation instead, which refuses a transaction that would abort before anything is paid.) The first failing
 * check decides the error, in the same order as the Move code.
 */
import { MAX_DNS_NAME, MAX_PATH, ROLE_TENANT, ROLES } from './abi/package.js';

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

/** A DNS-1123 label (namespace names, names::is_dns_label): 1..63 of `a-z`, `0-9`, `-`, alphanumeric at both ends. */
export function isDnsLabel(name: string): boolean {
  return name.length <= MAX_DNS_NAME && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name);
}

/** A DNS-1123 subdomain of at most 63 bytes (node names, names::is_dns_subdomain): dot-separated DNS-1123 labels. */
export function isDnsSubdomain(name: string): boolean {
  return name.length > 0 && name.length <= MAX_DNS_NAME && name.split('.').every((label) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label));
}

/** Namespace names no tenant may claim (names::is_reserved_namespace): `default`, `kube-*`, `k3sdaas-*`. */
export function isReservedNamespace(name: string): boolean {
  return name === 'default' || name.startsWith('kube-') || name.startsWith('k3sdaas-');
}

/** Self-review groups and resources (access::is_self_review): answers about the requester, not writes. */
const SELF_REVIEWS: Record<string, ReadonlySet<string>> = {
  'authorization.k8s.io': new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
  'authentication.k8s.io': new Set(['selfsubjectreviews']),
};

/** Whether `method path` is a self-review: `POST /apis/{authorization|authentication}.k8s.io/{v}/self...reviews`. */
export function isSelfReview(method: string, path: string): boolean {
  if (method !== 'POST') return false;
  const s = path.split('/').filter((x) => x.length > 0);
  return s.length === 4 && s[0] === 'apis' && (SELF_REVIEWS[s[1]]?.has(s[3]) ?? false);
}

/** API discovery, `/version` and `/openapi/...`: the non-resource paths a tenant may read. */
export function isDiscoveryPath(path: string): boolean {
  const s = path.split('/').filter((x) => x.length > 0);
  if (s.length === 0) return false;
  return (s[0] === 'api' && s.length <= 2) || (s[0] === 'apis' && s.length <= 3) || (s[0] === 'version' && s.length === 1) || s[0] === 'openapi';
}

export type AuthzErrorName =
  | 'EInvalidMethod'
  | 'EInvalidPath'
  | 'EInvalidRole'
  | 'ERoleCannotWrite'
  | 'ERoleCannotReadSecrets'
  | 'ERoleCannotWriteClusterScoped'
  | 'ERoleCannotProxy'
  | 'EInsufficientWriteStake'
  | 'ETenantOutsideNamespace'
  | 'ETenantClusterScoped'
  | 'ETenantNonResource'
  | 'EStakeBelowMinimum';

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
  ETenantOutsideNamespace: { module: 'access', code: 14 },
  ETenantClusterScoped: { module: 'access', code: 15 },
  ETenantNonResource: { module: 'access', code: 16 },
  EStakeBelowMinimum: { module: 'access', code: 18 },
};

export interface AuthorizeInput {
  /** 0 viewer, 1 editor, 2 admin (ROLES), 3 tenant (ROLE_TENANT). */
  role: number;
  /** The namespace the token claimed; empty for a token staked with a role by the cap holder. */
  namespace?: string;
  method: string;
  path: string;
  /** MIST the token currently has staked. */
  stakeAmount: bigint | number;
  /** `cluster.min_user_stake`: below it the token has no access at all. Omitted = 0. */
  minUserStake?: bigint | number;
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

/** The tenant rules (access::tenant_check) for a token of namespace `own`: null when allowed, else the refusal. */
export function tenantRefusal(own: string, read: boolean, path: string, parsed: RequestPath): AuthzErrorName | null {
  if (parsed.nonResource) return read && isDiscoveryPath(path) ? null : 'ETenantNonResource';
  if (parsed.namespace === '') return 'ETenantClusterScoped';
  if (parsed.namespace !== own) return 'ETenantOutsideNamespace';
  if (!read && parsed.baseResource === 'namespaces') return 'ETenantClusterScoped';
  return null;
}

/**
 * The access rules (access::authorize), for a method and path already validated, in the contract's order: the
 * stake minimum, self-reviews (allowed to all), tenant rules (a tenant only; a role holder inside its own
 * namespace), then the role rules.
 */
export function authorizeRole(input: AuthorizeInput): AuthorizeResult {
  const { role, method, path } = input;
  const own = input.namespace ?? '';
  if (role !== ROLES.viewer && role !== ROLES.editor && role !== ROLES.admin && role !== ROLE_TENANT) return deny('EInvalidRole');
  if (BigInt(input.stakeAmount) < BigInt(input.minUserStake ?? 0)) return deny('EStakeBelowMinimum');
  const read = isReadMethod(method);
  const parsed = parseRequestPath(path);
  const ok: AuthorizeResult = { ok: true, namespace: parsed.namespace, resource: parsed.resource, read, parsed };
  if (isSelfReview(method, path)) return ok;
  const tenant = tenantRefusal(own, read, path, parsed);
  if (role === ROLE_TENANT) return tenant === null ? ok : deny(tenant);
  if (tenant === null && own !== '') return ok;
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
