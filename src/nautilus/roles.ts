/**
 * Kubernetes groups a requester is impersonated with, by SealToken role, so cluster RBAC can apply too (the user is
 * the requester's address). Cluster roles get cluster-wide bindings (rbac-bootstrap.ts); a tenant (role 3,
 * access::ROLE_TENANT) gets none: only the RoleBinding of its own namespace, bound to its address (tenants.ts).
 */
export const ROLE_GROUPS: Record<number, string> = { 0: 'k3sdaas:viewer', 1: 'k3sdaas:editor', 2: 'k3sdaas:admin', 3: 'k3sdaas:tenant' };

export function impersonationGroups(role: number): string[] {
  return [ROLE_GROUPS[role] ?? 'k3sdaas:unknown', 'system:authenticated'];
}
