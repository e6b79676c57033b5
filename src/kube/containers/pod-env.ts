/**
 * What the kubelet gives a container: its environment (env, envFrom, fieldRef, configMap/secret refs and the
 * kubernetes service variables) and its files (hostname, hosts, resolv.conf, service account, configMap/secret
 * and emptyDir volumes). A missing non-optional reference is a CreateContainerConfigError, as on a real node.
 */
import { resourceForKind } from '../registry.js';
import type { KubeStore } from '../store.js';
import { SimFilesystem } from './filesystem.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export class ContainerConfigError extends Error {}

function dataOf(store: KubeStore, kind: 'ConfigMap' | 'Secret', ns: string, name: string, optional: boolean): Record<string, string> | undefined {
  const obj = store.get(resourceForKind(kind), ns, name) as Any;
  if (!obj) {
    if (optional) return undefined;
    throw new ContainerConfigError(`${kind === 'ConfigMap' ? 'configmap' : 'secret'} "${name}" not found`);
  }
  if (kind === 'Secret') return Object.fromEntries(Object.entries((obj.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { ...(obj.data ?? {}) };
}

function fieldValue(pod: Any, path: string): string {
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (label) return pod.metadata?.[label[1]]?.[label[2]] ?? '';
  const known: Record<string, string | undefined> = {
    'metadata.name': pod.metadata?.name,
    'metadata.namespace': pod.metadata?.namespace,
    'metadata.uid': pod.metadata?.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': pod.status?.podIP,
    'status.hostIP': pod.status?.hostIP,
  };
  return known[path] ?? '';
}

export function containerEnv(store: KubeStore, pod: Any, c: Any, podIP: string): Record<string, string> {
  const ns = pod.metadata.namespace;
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: pod.spec?.hostname ?? pod.metadata.name,
    HOME: '/root',
    KUBERNETES_SERVICE_HOST: '10.43.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.43.0.1:443',
  };
  for (const from of (c.envFrom ?? []) as Any[]) {
    const ref = from.configMapRef ?? from.secretRef;
    const data = ref && dataOf(store, from.configMapRef ? 'ConfigMap' : 'Secret', ns, ref.name, !!ref.optional);
    for (const [k, v] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${k}`] = String(v);
  }
  const withPod = { ...pod, status: { ...pod.status, podIP } };
  for (const e of (c.env ?? []) as Any[]) {
    const vf = e.valueFrom;
    if (!vf) env[e.name] = String(e.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) => env[n] ?? m);
    else if (vf.fieldRef) env[e.name] = fieldValue(withPod, vf.fieldRef.fieldPath);
    else if (vf.configMapKeyRef || vf.secretKeyRef) {
      const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
      const kind = vf.configMapKeyRef ? 'ConfigMap' : 'Secret';
      const data = dataOf(store, kind, ns, ref.name, !!ref.optional);
      if (data && !(ref.key in data) && !ref.optional) throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}`);
      if (data?.[ref.key] !== undefined) env[e.name] = data[ref.key];
    } else if (vf.resourceFieldRef) env[e.name] = '0';
  }
  return env;
}

/** The pod's filesystem, shared by its containers (volumes included). */
export function podFilesystem(store: KubeStore, pod: Any, podIP: string, now: () => number): SimFilesystem {
  const fs = new SimFilesystem(now);
  const ns = pod.metadata.namespace;
  const host = pod.spec?.hostname ?? pod.metadata.name;
  for (const d of ['/bin', '/etc', '/root', '/tmp', '/usr/bin', '/var', '/proc', '/dev']) fs.mkdirp(d);
  fs.write('/etc/hostname', `${host}\n`);
  fs.write('/etc/hosts', `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${podIP}\t${host}${pod.spec?.subdomain ? `.${pod.spec.subdomain}.${ns}.svc.cluster.local\t${host}` : ''}\n`);
  fs.write('/etc/resolv.conf', `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.43.0.10\noptions ndots:5\n`);
  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  if (pod.spec?.automountServiceAccountToken !== false) {
    fs.write(`${sa}/namespace`, ns);
    const ca = (store.get(resourceForKind('ConfigMap'), ns, 'kube-root-ca.crt') as Any)?.data?.['ca.crt'];
    if (ca) fs.write(`${sa}/ca.crt`, ca);
  }
  const volumes = new Map<string, Any>(((pod.spec?.volumes ?? []) as Any[]).map((v) => [v.name, v]));
  const mounts = ((pod.spec?.containers ?? []) as Any[]).flatMap((c) => (c.volumeMounts ?? []) as Any[]);
  for (const m of mounts) {
    const v = volumes.get(m.name);
    fs.mkdirp(m.mountPath);
    const src = v?.configMap ?? v?.secret;
    if (!src) continue;
    const kind = v.configMap ? 'ConfigMap' : 'Secret';
    const data = dataOf(store, kind, ns, v.configMap ? src.name : src.secretName, !!src.optional) ?? {};
    const items: { key: string; path: string }[] = src.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
    for (const it of items) {
      if (data[it.key] === undefined) continue;
      const path = m.subPath ? (m.subPath === it.path ? m.mountPath : undefined) : `${m.mountPath}/${it.path}`;
      if (path) fs.write(path, data[it.key]);
    }
  }
  return fs;
}
