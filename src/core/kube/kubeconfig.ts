/**
 * Writes a kubeconfig context for k3sdaas: the gateway's (or proxy's) CA and either the `k3sdaas token` exec
 * credential plugin (gateways) or no credential (kubectl-proxy on loopback, which signs with the user's own key).
 * Merges into an existing kubeconfig without touching other contexts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';

export interface ExecPlugin {
  command: string;
  args: string[];
  env?: Array<{ name: string; value: string }>;
}

export interface KubeconfigContext {
  name: string;
  server: string;
  caPem: string;
  /** How kubectl authenticates: the `k3sdaas token` exec plugin (gateways) or a static bearer token (kubectl-proxy). */
  auth: { exec: ExecPlugin } | { token: string };
  /** The context's default namespace (e.g. a tenant's own). */
  namespace?: string;
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  _?: T;
}

function upsert<T>(list: Array<Named<T>> | undefined, item: Named<T>): Array<Named<T>> {
  const out = (list ?? []).filter((x) => x.name !== item.name);
  out.push(item);
  return out;
}

export function writeKubeconfigContext(file: string, ctx: KubeconfigContext, options: { setCurrent?: boolean } = {}): void {
  const doc = (existsSync(file) ? parse(readFileSync(file, 'utf8')) : null) ?? {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
  };
  doc.clusters = upsert(doc.clusters, {
    name: ctx.name,
    cluster: { server: ctx.server, 'certificate-authority-data': Buffer.from(ctx.caPem).toString('base64') },
  });
  const user =
    'exec' in ctx.auth
      ? { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', provideClusterInfo: false, ...ctx.auth.exec } }
      : { token: ctx.auth.token };
  doc.users = upsert(doc.users, { name: ctx.name, user });
  doc.contexts = upsert(doc.contexts, { name: ctx.name, context: { cluster: ctx.name, user: ctx.name, ...(ctx.namespace ? { namespace: ctx.namespace } : {}) } });
  if (options.setCurrent || !doc['current-context']) doc['current-context'] = ctx.name;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringify(doc), { mode: 0o600 });
}
