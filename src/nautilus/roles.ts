/** Kubernetes groups a requester is impersonated with, by SealToken role, so cluster RBAC can apply too. */
export const ROLE_GROUPS: Record<number, string> = { 0: 'k3sdaas:viewer', 1: 'k3sdaas:editor', 2: 'k3sdaas:admin' };

export function impersonationGroups(role: number): string[] {
  return [ROLE_GROUPS[role] ?? 'k3sdaas:unknown', 'system:authenticated'];
}
