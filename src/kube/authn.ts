/**
 * Who a request is: the server's own identity (the kubeconfig nautilus and the tests connect with carries no
 * credential, so every request arrives as it), or — when it carries `Impersonate-User` / `Impersonate-Group` (one
 * header line per group, never split on commas) / `Impersonate-Uid` / `Impersonate-Extra-*` — the impersonated
 * identity, once RBAC allows the requester the `impersonate` verb on each of them (when enforcing).
 */
import type { IncomingMessage } from 'node:http';
import { AUTHENTICATED, authorize, forbidden, type Attributes, type UserInfo } from './rbac.js';
import { badRequest } from './status.js';
import type { KubeStore } from './store.js';

/** The identity of a request without credentials: k3s's own admin (`system:admin` in `system:masters`). */
export const SERVER_IDENTITY: UserInfo = { username: 'system:admin', groups: ['system:masters', AUTHENTICATED] };

function impersonate(resource: string, name: string, group = '', subresource?: string): Attributes {
  return { resource: { verb: 'impersonate', group, resource, name, ...(subresource ? { subresource } : {}) } };
}

/** The effective user of `req`; throws 403 when the requester may not impersonate whom it asks for. */
export function identify(req: IncomingMessage, store: KubeStore, requester: UserInfo, enforce: boolean): UserInfo {
  const h = req.headersDistinct;
  const user = h['impersonate-user']?.[0];
  const groups = h['impersonate-group'] ?? [];
  const uid = h['impersonate-uid']?.[0];
  const extra: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(h)) {
    if (name.startsWith('impersonate-extra-') && values) extra[decodeURIComponent(name.slice('impersonate-extra-'.length))] = values;
  }
  if (user === undefined) {
    if (groups.length || uid || Object.keys(extra).length) {
      throw badRequest(`requested ${groups.map((g) => `{Group ${g}}`).join(' ')} without impersonating a user`.replace('  ', ' '));
    }
    return requester;
  }
  if (enforce) {
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
    const checks: Attributes[] = [
      sa ? { resource: { verb: 'impersonate', group: '', resource: 'serviceaccounts', name: sa[2], namespace: sa[1] } } : impersonate('users', user),
      ...groups.map((g) => impersonate('groups', g)),
      ...(uid ? [impersonate('uids', uid, 'authentication.k8s.io')] : []),
      ...Object.entries(extra).flatMap(([k, vs]) => vs.map((v) => impersonate('userextras', v, 'authentication.k8s.io', k))),
    ];
    for (const c of checks) {
      if (!authorize(store, requester, c).allowed) throw forbidden(requester, c);
    }
  }
  const all = [...groups];
  if (user !== 'system:anonymous' && !all.includes(AUTHENTICATED)) all.push(AUTHENTICATED);
  const sa = /^system:serviceaccount:([^:]+):/.exec(user);
  if (sa) for (const g of ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`]) if (!all.includes(g)) all.push(g);
  return { username: user, groups: all, ...(uid ? { uid } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
}
