/**
 * Forwards one kubectl HTTP request verbatim to a kube-apiserver named by a kubeconfig: method, path and query,
 * the headers that matter, body. Server, TLS and credentials come from @kubernetes/client-node's KubeConfig; the
 * call itself is undici with per-phase timeouts. The requester is impersonated so the cluster's own RBAC applies.
 * No switch over resource types: every resource and verb (CRDs included) passes through unchanged.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import type { RequestOptions } from 'node:https';
import {
  FORWARDED_REQUEST_HEADERS,
  FORWARDED_RESPONSE_HEADERS,
  type HttpRequestEnvelope,
  type HttpResponseEnvelope,
} from '../envelope/http.js';
import { K3sDaasError } from '../errors.js';

export interface Impersonation {
  user: string;
  groups: string[];
}

export interface KubeForwarderOptions {
  kubeconfig: KubeConfig;
  /** Per-phase timeouts (ms). */
  timeouts?: { connect?: number; headers?: number; body?: number };
  /** Largest response body accepted from the apiserver. */
  maxResponseBytes?: number;
}

export class UpstreamError extends K3sDaasError {
  constructor(
    code: 'UPSTREAM_UNREACHABLE' | 'UPSTREAM_TIMEOUT' | 'UPSTREAM_TOO_LARGE' | 'REQUEST_PATH_REFUSED',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { retryable: code === 'UPSTREAM_UNREACHABLE' || code === 'UPSTREAM_TIMEOUT', cause });
  }
}

export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new K3sDaasError('KUBECONFIG_INVALID', `kubeconfig ${file ?? '(default)'} has no current cluster`);
  return kc;
}

/**
 * client-node refuses to build an agent for a plain-http server unless the kubeconfig sets insecure-skip-tls-verify
 * (there is no TLS to verify); kubectl accepts such kubeconfigs (e.g. `kubectl proxy`, the embedded API). Use a copy
 * with the flag set, so credentials and headers still come from the kubeconfig.
 */
function forPlainHttp(kc: KubeConfig): KubeConfig {
  const cluster = kc.getCurrentCluster()!;
  if (!cluster.server.startsWith('http:') || cluster.skipTLSVerify) return kc;
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return copy;
}

export class KubeForwarder {
  readonly server: URL;
  #agent: Promise<{ agent: Agent; headers: Record<string, string> }>;
  readonly #maxResponseBytes: number;

  constructor(options: KubeForwarderOptions) {
    const cluster = options.kubeconfig.getCurrentCluster()!;
    this.server = new URL(cluster.server);
    const timeouts = { connect: 5_000, headers: 30_000, body: 30_000, ...options.timeouts };
    this.#maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.#agent = (async () => {
      const opts: RequestOptions = {};
      await forPlainHttp(options.kubeconfig).applyToHTTPSOptions(opts);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      const agent = new Agent({
        connect: {
          ca: opts.ca as string | undefined,
          cert: opts.cert as string | undefined,
          key: opts.key as string | undefined,
          rejectUnauthorized: opts.rejectUnauthorized ?? true,
          timeout: timeouts.connect,
        },
        headersTimeout: timeouts.headers,
        bodyTimeout: timeouts.body,
      });
      return { agent, headers };
    })();
    // A kubeconfig that cannot be used fails each forward (answered as 502), never the process.
    this.#agent.catch(() => undefined);
  }

  /**
   * `as` null sends the request as the kubeconfig's own identity (nautilus provisioning tenants and RBAC), never a
   * requester's.
   */
  async forward(req: HttpRequestEnvelope, as: Impersonation | null, signal?: AbortSignal): Promise<HttpResponseEnvelope> {
    const { agent, headers: auth } = await this.#agent.catch((err: unknown) => {
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `cannot use the kubeconfig for ${this.server.origin}: ${(err as Error).message}`, err);
    });
    const headers: Record<string, string | string[]> = { ...auth };
    for (const [name, value] of req.headers) {
      if (FORWARDED_REQUEST_HEADERS.includes(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    if (as) {
      headers['impersonate-user'] = as.user;
      // An array is one `Impersonate-Group:` line per group: the apiserver reads each line as one group, so a
      // comma-joined value would be a single group named "a, b".
      if (as.groups.length) headers['impersonate-group'] = [...as.groups];
    }
    const url = this.target(req.url);
    let res;
    try {
      res = await request(url, {
        method: req.method as 'GET',
        headers,
        body: req.body.length ? req.body : undefined,
        dispatcher: agent,
        signal,
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (/TIMEOUT/.test(code) || signal?.aborted) throw new UpstreamError('UPSTREAM_TIMEOUT', `kube-apiserver did not answer in time (${code || 'deadline'})`, err);
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `kube-apiserver ${this.server.origin} unreachable: ${(err as Error).message}`, err);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > this.#maxResponseBytes) {
          res.body.destroy();
          throw new UpstreamError('UPSTREAM_TOO_LARGE', `response larger than ${this.#maxResponseBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      const code = (err as { code?: string }).code ?? '';
      if (/TIMEOUT/.test(code) || signal?.aborted) throw new UpstreamError('UPSTREAM_TIMEOUT', `kube-apiserver response body timed out`, err);
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `kube-apiserver connection failed: ${(err as Error).message}`, err);
    }
    const out: Array<[string, string]> = [];
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const v = res.headers[name];
      if (typeof v === 'string') out.push([name, v]);
      else if (Array.isArray(v)) for (const x of v) out.push([name, x]);
    }
    return { status: res.statusCode, headers: out, body: new Uint8Array(Buffer.concat(chunks)) };
  }

  /**
   * The apiserver URL for a request path, refusing anything URL resolution would change: a path that resolves to
   * another origin (`//host/...`) or to another path (`..`, `%2e%2e`, `./`) would execute something other than what
   * the chain authorized.
   */
  target(pathAndQuery: string): URL {
    const base = this.server.pathname.replace(/\/+$/, '');
    const q = pathAndQuery.indexOf('?');
    const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
    let url: URL;
    try {
      url = new URL(base + pathAndQuery, this.server.origin);
    } catch {
      throw new UpstreamError('REQUEST_PATH_REFUSED', `request path is not a valid URL path: ${path.slice(0, 200)}`);
    }
    if (!path.startsWith('/') || url.origin !== this.server.origin || url.pathname !== base + path) {
      throw new UpstreamError('REQUEST_PATH_REFUSED', `request path ${path.slice(0, 200)} does not stay the same when resolved; refused`);
    }
    return url;
  }

  async close(): Promise<void> {
    const { agent } = await this.#agent;
    await agent.close();
  }
}
