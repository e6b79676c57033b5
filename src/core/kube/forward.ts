/**
 * Forwards one kubectl HTTP request verbatim to a kube-apiserver named by a kubeconfig: method, path and query,
 * the headers that matter, body. Server, TLS and credentials come from @kubernetes/client-node's KubeConfig; the
 * call itself is undici with per-phase timeouts. The requester is impersonated so the cluster's own RBAC applies.
 * No switch over resource types: every resource and verb (CRDs included) passes through unchanged.
 *
 * Credentials are computed per request (client-node caches and refreshes exec-plugin credentials by their expiry,
 * and re-reads token files every minute, so rotated service-account tokens are picked up); basic auth, client
 * certificates, `tls-server-name`, `insecure-skip-tls-verify` and an http(s) `proxy-url` are honoured. What cannot
 * be honoured (a SOCKS proxy) is refused when the forwarder starts (`ready()`), with the field named.
 */
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
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
    /** The request may have reached the apiserver (so a write's outcome is unknown). */
    readonly maybeSent = false,
  ) {
    super(code, message, { retryable: code === 'UPSTREAM_UNREACHABLE' || code === 'UPSTREAM_TIMEOUT', cause, data: { maybeSent } });
  }
}

/** The most specific message of a transport error (undici's `fetch failed`/`other side closed` wrap the socket's). */
function connectDetail(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  let msg = e?.message ?? String(err);
  for (let i = 0; i < 4 && e?.cause; i++) {
    e = e.cause as typeof e;
    if (e?.message) msg = e.message;
  }
  return msg;
}

export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new K3sDaasError('KUBECONFIG_INVALID', `kubeconfig ${file ?? '(default)'} has no current cluster`);
  return file ? withTokenFiles(kc, file) : kc;
}

/**
 * kubectl's `tokenFile` (and `token-file`) user field: client-node ignores the first and reads the second once at
 * load, so a rotated service-account token would never be seen. Expressed as client-node's `tokenFile` auth
 * provider instead, which re-reads the file every minute (as client-go does).
 */
function withTokenFiles(kc: KubeConfig, file: string): KubeConfig {
  let raw: { users?: Array<{ name?: string; user?: Record<string, unknown> }> };
  try {
    raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch {
    return kc;
  }
  const files = new Map<string, string>();
  for (const u of raw.users ?? []) {
    const tf = u.user?.tokenFile ?? u.user?.['token-file'];
    if (u.name && typeof tf === 'string' && !u.user?.token) files.set(u.name, tf.startsWith('/') ? tf : new URL(tf, `file://${file}`).pathname);
  }
  if (files.size === 0) return kc;
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users.map((u) =>
      files.has(u.name) ? { ...u, token: undefined, authProvider: { name: 'tokenFile', config: { tokenFile: files.get(u.name)! } } } : u,
    ),
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return copy;
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

/** The kubeconfig's credentials as request headers, computed now (exec plugins and token files refresh). */
async function credentialHeaders(kc: KubeConfig): Promise<{ headers: Record<string, string>; tls: RequestOptions }> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  // Basic auth: client-node leaves it in `auth` (for node:https), not in a header.
  if (typeof opts.auth === 'string' && !headers.authorization) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  return { headers, tls: opts };
}

export class KubeForwarder {
  readonly server: URL;
  #agent: Promise<{ agent: Dispatcher }>;
  readonly #kubeconfig: KubeConfig;
  readonly #maxResponseBytes: number;

  constructor(options: KubeForwarderOptions) {
    const cluster = options.kubeconfig.getCurrentCluster()!;
    this.server = new URL(cluster.server);
    const kc = forPlainHttp(options.kubeconfig);
    this.#kubeconfig = kc;
    const timeouts = { connect: 5_000, headers: 30_000, body: 30_000, ...options.timeouts };
    this.#maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.#agent = (async () => {
      const proxy = cluster.proxyUrl;
      if (proxy && !/^https?:/i.test(proxy)) {
        throw new K3sDaasError('KUBECONFIG_UNSUPPORTED', `kubeconfig cluster ${cluster.name}: proxy-url ${proxy} is not supported (only http:// and https:// proxies)`);
      }
      const { tls: opts } = await credentialHeaders(kc);
      const connect = {
        ca: opts.ca as string | undefined,
        cert: opts.cert as string | undefined,
        key: opts.key as string | undefined,
        rejectUnauthorized: opts.rejectUnauthorized ?? true,
        ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
        timeout: timeouts.connect,
      };
      const agent = proxy
        ? new ProxyAgent({ uri: proxy, requestTls: connect, headersTimeout: timeouts.headers, bodyTimeout: timeouts.body })
        : new Agent({ connect, headersTimeout: timeouts.headers, bodyTimeout: timeouts.body });
      return { agent };
    })();
    // A kubeconfig that cannot be used fails each forward (answered as 502), never the process; `ready()` says why.
    this.#agent.catch(() => undefined);
  }

  /** Resolves once the kubeconfig is usable; rejects with what is wrong with it (call at start to fail fast). */
  async ready(): Promise<void> {
    try {
      await this.#agent;
      await credentialHeaders(this.#kubeconfig);
    } catch (err) {
      if (err instanceof K3sDaasError) throw err;
      throw new K3sDaasError('KUBECONFIG_INVALID', `cannot use the kubeconfig for ${this.server.origin}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * `as` null sends the request as the kubeconfig's own identity (nautilus provisioning tenants and RBAC), never a
   * requester's.
   */
  async forward(req: HttpRequestEnvelope, as: Impersonation | null, signal?: AbortSignal): Promise<HttpResponseEnvelope> {
    const { agent } = await this.#agent.catch((err: unknown) => {
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `cannot use the kubeconfig for ${this.server.origin}: ${(err as Error).message}`, err);
    });
    // Per request: an exec plugin's credential or a token file may have been refreshed since the last one.
    const { headers: auth } = await credentialHeaders(this.#kubeconfig).catch((err: unknown) => {
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `cannot get credentials from the kubeconfig for ${this.server.origin}: ${(err as Error).message}`, err);
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
      throw this.#failure(err, signal, 'did not answer in time');
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
      throw this.#failure(err, signal, 'did not send the whole response in time', true);
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
   * A transport failure as an UpstreamError whose message names the apiserver and what happened in words — never a
   * DOMException's numeric code (an aborted signal's error carries `code: 23`). `sent` says whether the request may
   * have reached the apiserver (anything but a refused/failed connect), i.e. whether a write's outcome is unknown.
   */
  #failure(err: unknown, signal: AbortSignal | undefined, timedOut: string, afterHeaders = false): UpstreamError {
    const code = typeof (err as { code?: unknown }).code === 'string' ? ((err as { code: string }).code) : '';
    const name = (err as { name?: unknown }).name;
    const origin = this.server.origin;
    if (signal?.aborted || name === 'TimeoutError' || name === 'AbortError' || /TIMEOUT/.test(code)) {
      const phase = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'did not accept the connection in time' : timedOut;
      return new UpstreamError('UPSTREAM_TIMEOUT', `kube-apiserver ${origin} ${phase}`, err, code !== 'UND_ERR_CONNECT_TIMEOUT');
    }
    const detail = connectDetail(err);
    const notConnected = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(`${code} ${detail}`);
    const what = afterHeaders ? 'connection failed while sending the response' : 'unreachable';
    return new UpstreamError('UPSTREAM_UNREACHABLE', `kube-apiserver ${origin} ${what}: ${detail}`, err, afterHeaders || !notConnected);
  }

  /**
   * Opens a streaming request (a watch, a log follow) and hands back the status, headers and the body as it
   * arrives, with no body timeout and no size limit; the caller ends it with `signal`. Same headers, credentials
   * and impersonation as `forward`.
   */
  async stream(req: HttpRequestEnvelope, as: Impersonation, signal: AbortSignal): Promise<{ status: number; headers: Array<[string, string]>; body: AsyncIterable<Buffer> }> {
    const { agent } = await this.#agent.catch((err: unknown) => {
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `cannot use the kubeconfig for ${this.server.origin}: ${(err as Error).message}`, err);
    });
    const { headers: auth } = await credentialHeaders(this.#kubeconfig).catch((err: unknown) => {
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `cannot get credentials from the kubeconfig for ${this.server.origin}: ${(err as Error).message}`, err);
    });
    const headers: Record<string, string | string[]> = { ...auth };
    for (const [name, value] of req.headers) {
      if (FORWARDED_REQUEST_HEADERS.includes(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    headers['impersonate-user'] = as.user;
    if (as.groups.length) headers['impersonate-group'] = as.groups;
    let res;
    try {
      res = await request(this.target(req.url), { method: req.method as 'GET', headers, dispatcher: agent, signal, bodyTimeout: 0 });
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `kube-apiserver ${this.server.origin} unreachable: ${(err as Error).message}`, err);
    }
    const out: Array<[string, string]> = [];
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const v = res.headers[name];
      if (typeof v === 'string') out.push([name, v]);
      else if (Array.isArray(v)) for (const x of v) out.push([name, x]);
    }
    return { status: res.statusCode, headers: out, body: res.body as AsyncIterable<Buffer> };
  }

  /**
   * What a WebSocket upgrade to the apiserver needs (exec, attach, port-forward): the ws(s) URL, the credential and
   * impersonation headers, and the kubeconfig's TLS settings (a proxy-url is not used for upgrades).
   */
  async upgradeTarget(req: HttpRequestEnvelope, as: Impersonation): Promise<{ url: URL; headers: Record<string, string | string[]>; tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean; servername?: string } }> {
    const { headers: auth, tls } = await credentialHeaders(this.#kubeconfig).catch((err: unknown) => {
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `cannot get credentials from the kubeconfig for ${this.server.origin}: ${(err as Error).message}`, err);
    });
    const url = this.target(req.url);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const headers: Record<string, string | string[]> = { ...auth, 'impersonate-user': as.user };
    if (as.groups.length) headers['impersonate-group'] = as.groups;
    const servername = this.#kubeconfig.getCurrentCluster()?.tlsServerName;
    return {
      url,
      headers,
      tls: {
        ca: tls.ca as string | undefined,
        cert: tls.cert as string | undefined,
        key: tls.key as string | undefined,
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
        ...(servername ? { servername } : {}),
      },
    };
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
