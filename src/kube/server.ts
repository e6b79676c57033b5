/** The embedded Kubernetes API server: node:http(s), routing, Status errors. */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { aggregatedDiscovery, AGGREGATED_DISCOVERY_TYPE, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery.js';
import { handleResource } from './handlers.js';
import { watchCustomResourceDefinitions } from './crds.js';
import { openApiV2Reply, openApiV3Document, openApiV3Index, parseOpenApiPath } from './openapi.js';
import { json, text, type Reply } from './reply.js';
import { readBody } from './request.js';
import { notFoundPath, parseGroupVersion, parseResourceRoute } from './routes.js';
import { resourceForKind } from './registry.js';
import { CONTROLLER_NAMES, Simulation, type SimulationOptions } from './simulation.js';
import { silentLogger, type Logger } from '../core/log.js';
import { toKubeApiError } from './status.js';
import { handleUpgrade, type UpgradeContext } from './streams/upgrade.js';
import { KubeStore, type StoreOptions } from './store.js';
import { createTlsMaterial } from '../gateway/tls.js';
import { SERVER_IDENTITY, identify } from './authn.js';
import { authorize, bootstrapRbac, checkEscalation, forbidden, resourceAttributes, startRoleAggregation, type Attributes, type UserInfo } from './rbac.js';

export const KUBE_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-k3sdaas',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T00:00:00Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** One request as seen by the API, for audit hooks (impersonation headers included, never enforced). */
export interface AuditEntry {
  method: string;
  path: string;
  user?: string;
  groups: string[];
  code: number;
}

export interface KubeApiOptions {
  host?: string;
  port?: number;
  tls?: { cert: string; key: string };
  simulation?: SimulationOptions;
  /** The default node registered at start; `null` for none. */
  defaultNode?: string | null;
  onAudit?: (entry: AuditEntry) => void;
  /** Keep the objects in this directory (crash-safe change log + snapshot); in memory when absent. */
  dataDir?: string;
  /** Store tuning: kept history (watch/continue window) and garbage-collector switches. */
  storage?: Omit<StoreOptions, 'dataDir'>;
  /**
   * RBAC: `enforce` authorizes every request (default false); `identity` is who a request without impersonation
   * headers is (default system:admin in system:masters, the server's own identity, which may impersonate).
   */
  authorization?: { enforce?: boolean; identity?: UserInfo };
  /** Interval between watch bookmarks (ms). Default 60 s. */
  watchBookmarkMs?: number;
  /** Where a failed controller pass is reported (unless `simulation.onError` is given). Default: silent. */
  logger?: Logger;
  /** Told of every exec/attach/port-forward session that ends. */
  onSession?: UpgradeContext['onSession'];
}

export interface KubeApi {
  url: string;
  store: KubeStore;
  /** The controllers and kubelet (its clock, and the containers exec/attach reach). */
  simulation: Simulation;
  close(): Promise<void>;
}

function nonResource(req: IncomingMessage, url: URL, serverAddress: string): Reply {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const accept = req.headers.accept;
  if (path === '/version') return json(200, KUBE_VERSION);
  if (/^\/(healthz|readyz|livez)(\/.*)?$/.test(path)) return text(200, 'ok');
  if (path === '/api' || path === '/apis') {
    const core = path === '/api';
    if (wantsAggregated(accept)) return { code: 200, body: aggregatedDiscovery(core), contentType: AGGREGATED_DISCOVERY_TYPE };
    return json(200, core ? apiVersions(serverAddress) : apiGroupList());
  }
  if (path === '/openapi/v3') return json(200, openApiV3Index());
  if (path === '/openapi/v2') return openApiV2Reply(accept);
  const gvOpenApi = parseOpenApiPath(path);
  const doc = gvOpenApi && openApiV3Document(gvOpenApi.group, gvOpenApi.version);
  if (doc) return json(200, doc);
  const apisGroup = /^\/apis\/([^/]+)$/.exec(path);
  const group = apisGroup && apiGroup(apisGroup[1]);
  if (group) return json(200, group);
  throw notFoundPath(url.pathname);
}

async function route(req: IncomingMessage, url: URL, store: KubeStore, serverAddress: string, opts: KubeApiOptions): Promise<Reply> {
  const enforce = opts.authorization?.enforce === true;
  const user = identify(req, store, opts.authorization?.identity ?? SERVER_IDENTITY, enforce);
  const check = (attrs: Attributes) => {
    if (enforce && !authorize(store, user, attrs).allowed) throw forbidden(user, attrs);
  };
  const gv = parseGroupVersion(url.pathname);
  const method = req.method ?? 'GET';
  if (!gv || gv.rest.length === 0) check({ nonResource: { verb: method === 'HEAD' ? 'get' : method.toLowerCase(), path: url.pathname } });
  if (!gv) return nonResource(req, url, serverAddress);
  if (gv.rest.length === 0) {
    const list = apiResourceList(gv.group, gv.version);
    if (!list) throw notFoundPath(url.pathname);
    return json(200, list);
  }
  const resourceRoute = parseResourceRoute(gv, url.pathname);
  check(resourceAttributes(method, resourceRoute.def, resourceRoute, url.searchParams));
  const body = await readBody(req);
  return handleResource(
    {
      method,
      route: resourceRoute,
      user,
      userAgent: req.headers['user-agent'],
      admit: enforce ? (def, namespace, obj) => checkEscalation(store, user, def, namespace, obj) : undefined,
      query: url.searchParams,
      contentType: req.headers['content-type'],
      accept: req.headers.accept,
      body,
      bookmarkMs: opts.watchBookmarkMs,
    },
    store,
  );
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (reply.stream) return reply.stream(req, res);
  const payload = Buffer.isBuffer(reply.body) ? reply.body : typeof reply.body === 'string' && reply.contentType === 'text/plain' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.code, {
    'Content-Type': reply.contentType ?? 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-cache, private',
    ...reply.headers,
  });
  res.end(payload);
}

/** Starts the API (plain HTTP on 127.0.0.1 by default; port 0 picks a free port). */
export async function startKubeApi(opts: KubeApiOptions = {}): Promise<KubeApi> {
  // the simulated kubelet finishes graceful pod deletions and the namespace controller empties Terminating
  // namespaces (src/kube/controllers): the store's garbage collector leaves both to them
  const store = new KubeStore({ ...opts.storage, dataDir: opts.dataDir, gc: { podTerminationMs: false, namespaces: false, ...opts.storage?.gc } });
  if (opts.defaultNode !== null) store.registerNode(opts.defaultNode ?? 'k3sdaas-dev', { 'node-role.kubernetes.io/control-plane': 'true' });
  const stopCrds = watchCustomResourceDefinitions(store);
  bootstrapRbac(store);
  const stopAggregation = startRoleAggregation(store);
  const log = opts.logger ?? silentLogger;
  const onError = (i: number, err: unknown) => log.error('controller pass failed', { controller: CONTROLLER_NAMES[i] ?? i, error: err });
  const simulation = new Simulation(store, { onError, ...opts.simulation });
  // the CA pods find in kube-root-ca.crt: the server's own when it serves TLS, else a fresh one for this cluster
  // (a restored cluster keeps the CA it published, so kube-root-ca.crt does not change on restart)
  if (!opts.simulation?.caPem) {
    const published = (store.get(resourceForKind('ConfigMap'), 'kube-system', 'kube-root-ca.crt') as { data?: Record<string, string> } | undefined)?.data?.['ca.crt'];
    if (opts.tls) simulation.setCaPem(opts.tls.cert);
    else if (published) simulation.setCaPem(published);
    else void createTlsMaterial(['kubernetes.default.svc']).then((t) => simulation.setCaPem(t.caPem)).catch(() => undefined);
  }
  const host = opts.host ?? '127.0.0.1';
  let serverAddress = host;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    route(req, url, store, serverAddress, opts)
      .catch((err: unknown) => {
        const e = toKubeApiError(err);
        return json(e.httpCode, e.toStatus());
      })
      // nothing is answered before what it acknowledges or shows is on disk
      .then(async (reply) => {
        try {
          await store.flush();
          return reply;
        } catch (err) {
          const e = toKubeApiError(err);
          return json(e.httpCode, e.toStatus());
        }
      })
      .then((reply) => {
        opts.onAudit?.({
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          user: req.headersDistinct['impersonate-user']?.[0],
          groups: req.headersDistinct['impersonate-group'] ?? [],
          code: reply.code,
        });
        if (!res.headersSent) send(req, res, reply);
      })
      .catch(() => res.destroy());
  };

  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest) : createHttpServer(onRequest);
  // exec/attach/port-forward arrive as upgrade requests (WebSocket; SPDY as kubectl's fallback): streams/upgrade.ts
  // (upgraded sockets leave the server's bookkeeping: they are kept here so close() ends open sessions too)
  const upgraded = new Set<Socket>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    handleUpgrade(req, socket, head, { store, enforce: opts.authorization?.enforce === true, identity: opts.authorization?.identity ?? SERVER_IDENTITY, onSession: opts.onSession, onAudit: opts.onAudit });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  }).catch((err: unknown) => {
    simulation.stop();
    stopAggregation();
    stopCrds();
    store.close();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  serverAddress = `${host}:${port}`;
  const url = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    store,
    simulation,
    close: async () => {
      simulation.stop();
      stopCrds();
      stopAggregation();
      server.closeAllConnections?.();
      for (const s of upgraded) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}
