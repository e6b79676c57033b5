/**
 * Streaming upgrades of the embedded API: `pods/exec`, `pods/attach` and `pods/portforward`, authorized like every
 * request (RBAC `create` on the subresource, as a v1.32 apiserver asks of WebSocket upgrades), then served over
 * WebSocket with the `ws` library. A request the server cannot serve gets an HTTP Status before any upgrade, so
 * kubectl prints `Error from server (…)`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import { identify } from '../authn.js';
import { kubeletFor } from '../kubelet.js';
import { authorize, forbidden, resourceAttributes, type UserInfo } from '../rbac.js';
import { resourceForKind } from '../registry.js';
import { parseGroupVersion, parseResourceRoute } from '../routes.js';
import { badRequest, KubeApiError, notFound, toKubeApiError } from '../status.js';
import type { KubeStore } from '../store.js';
import { ChannelSocket, CHANNEL_PROTOCOLS, parseChannelProtocol, selectProtocol } from './channels.js';
import { failSession, runSession, type RemoteCommandOptions } from './remote-command.js';
import { negotiateSpdyProtocol, serveSpdyRemoteCommand, SPDY_REMOTE_COMMAND_PROTOCOLS } from './remote-command-spdy.js';
import type { SimContainer } from '../containers/container.js';
import { servePortForward } from './portforward.js';
import { PORTFORWARD_V1, serveSpdyPortForward, SPDY_PORTFORWARD_TUNNEL } from './portforward-spdy.js';
import './tar.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const POD = resourceForKind('Pod');
const STREAMING = new Set(['exec', 'attach', 'portforward']);

export interface UpgradeContext {
  store: KubeStore;
  enforce: boolean;
  identity: UserInfo;
  /** Told of every upgrade request as of any request: 101 when it was upgraded, else the refusal's code. */
  onAudit?: (entry: { method: string; path: string; user?: string; groups: string[]; code: number }) => void;
  /** Told of every session that ends (audit/recording hooks). */
  onSession?: (s: { kind: string; namespace: string; pod: string; user: string; exitCode?: number; bytesIn: number; bytesOut: number }) => void;
}

const PORTFORWARD_PROTOCOLS = [SPDY_PORTFORWARD_TUNNEL, ...CHANNEL_PROTOCOLS];
// `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token ('/'), which ws refuses in Sec-WebSocket-Protocol; the
// real server (gorilla/websocket) accepts it. It reaches ws with '/' spelled '~' and is answered as sent.
const TOKEN_SLASH = '~';
const asToken = (p: string) => p.replaceAll('/', TOKEN_SLASH);
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered, req) => {
    const served = /\/portforward(\?|$)/.test(req.url ?? '') ? PORTFORWARD_PROTOCOLS : CHANNEL_PROTOCOLS;
    const pick = selectProtocol(offered, served.map(asToken));
    return pick === false ? false : served[served.map(asToken).indexOf(pick)];
  },
});

/** Writes a Status as the HTTP answer of an upgrade request and closes the socket. */
export function refuseUpgrade(socket: Duplex, err: unknown): void {
  const e = toKubeApiError(err);
  const body = JSON.stringify(e.toStatus());
  const text = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error', 501: 'Not Implemented' }[e.httpCode] ?? 'Error';
  socket.end(`HTTP/1.1 ${e.httpCode} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n${body}`);
}

function remoteCommandOptions(q: URLSearchParams): RemoteCommandOptions {
  const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  return { stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
}

/** The container a request names, or the pod's only one (the real server's messages otherwise). */
function containerName(pod: Any, q: URLSearchParams): string {
  const names: string[] = (pod.spec?.containers ?? []).map((c: Any) => c.name);
  const wanted = q.get('container');
  if (wanted) {
    const all = [...names, ...(pod.spec?.initContainers ?? []).map((c: Any) => c.name), ...(pod.spec?.ephemeralContainers ?? []).map((c: Any) => c.name)];
    if (!all.includes(wanted)) throw badRequest(`container ${wanted} is not valid for pod ${pod.metadata.name}`);
    return wanted;
  }
  if (names.length === 1) return names[0];
  throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
}

const podContainer = (pod: Any, name: string): Any => (pod.spec?.containers ?? []).find((c: Any) => c.name === name);

/** Handles one upgrade request; everything wrong is answered with a Status before the upgrade. */
export function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: UpgradeContext): void {
  const audit = (code: number) =>
    ctx.onAudit?.({ method: req.method ?? 'GET', path: req.url ?? '/', user: req.headersDistinct['impersonate-user']?.[0], groups: req.headersDistinct['impersonate-group'] ?? [], code });
  try {
    upgrade(req, socket, head, ctx);
    audit(101);
  } catch (err) {
    audit(toKubeApiError(err).httpCode);
    refuseUpgrade(socket, err);
  }
}

function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: UpgradeContext): void {
  const offered = req.headers['sec-websocket-protocol'];
  if (offered) req.headers['sec-websocket-protocol'] = offered.split(',').map((p) => asToken(p.trim())).join(', ');
  const url = new URL(req.url ?? '/', 'http://localhost');
  const user = identify(req, ctx.store, ctx.identity, ctx.enforce);
  const gv = parseGroupVersion(url.pathname);
  if (!gv || gv.rest.length === 0) throw badRequest(`${url.pathname} cannot be upgraded`);
  const route = parseResourceRoute(gv, url.pathname);
  if (route.def !== POD || !route.name || !route.subresource || !STREAMING.has(route.subresource)) {
    throw badRequest(`${url.pathname} cannot be upgraded: only pods/exec, pods/attach and pods/portforward stream`);
  }
  // connect subresources are `create` whatever the method (AuthorizePodWebsocketUpgradeCreatePermission)
  const attrs = resourceAttributes('POST', route.def, route, url.searchParams);
  if (ctx.enforce && !authorize(ctx.store, user, attrs).allowed) throw forbidden(user, attrs);
  const namespace = route.namespace ?? 'default';
  const pod = ctx.store.get(POD, namespace, route.name) as Any;
  if (!pod) throw notFound('pods', '', route.name);
  const sub = route.subresource;
  const isWebSocket = /\bwebsocket\b/i.test(String(req.headers.upgrade ?? ''));
  // kubectl's fallback after a failed WebSocket upgrade (or with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false) gets the
  // same refusal as the WebSocket request first, so it prints the reason that matters
  const refuseSpdy = () => {
    throw new KubeApiError(400, 'BadRequest', `${sub} over SPDY (${req.headers.upgrade}) is not served by the k3sdaas embedded API; it serves ${sub} over WebSocket (kubectl 1.30+ uses it by default)`, {});
  };
  const kubelet = kubeletFor(ctx.store);
  const report = (extra: { exitCode?: number; bytesIn: number; bytesOut: number }) =>
    ctx.onSession?.({ kind: sub, namespace, pod: route.name!, user: user.username, ...extra });

  if (sub === 'portforward') {
    const container = () => kubelet?.container(namespace, route.name!);
    if (!isWebSocket) {
      // SPDY/3.1 on the upgraded connection (kubectl's fallback, or KUBECTL_PORT_FORWARD_WEBSOCKETS=false)
      if (!/^SPDY\/3\.1$/i.test(String(req.headers.upgrade ?? ''))) refuseSpdy();
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORTFORWARD_V1}\r\n\r\n`);
      if (head.length) socket.unshift(head);
      void serveSpdyPortForward(socket, container).then(report);
      return;
    }
    const ports = url.searchParams.getAll('ports').flatMap((p) => p.split(',')).filter(Boolean).map(Number);
    return wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (ws.protocol === SPDY_PORTFORWARD_TUNNEL) void serveSpdyPortForward(createWebSocketStream(ws), container).then(report);
      else void servePortForward(ws, ports, container).then(report);
    });
  }

  const name = containerName(pod, url.searchParams);
  const opts = remoteCommandOptions(url.searchParams);
  if (sub === 'exec' && !url.searchParams.getAll('command').length) throw badRequest('you must specify at least 1 command');
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw badRequest('you must specify at least one of stdin, stdout, stderr');
  const container = kubelet?.container(namespace, route.name, name);
  if (!container?.process?.running) throw badRequest(`unable to upgrade connection: container not found ("${name}")`);
  if (sub === 'attach' && !container.spec.stdin && opts.stdin) {
    // the real kubelet attaches without stdin then (kubectl warns about it itself)
    opts.stdin = false;
  }
  const attach = sub === 'attach';
  const argv = attach ? container.argv() : url.searchParams.getAll('command');
  const tty = attach ? opts.tty && !!container.spec.tty : opts.tty;
  const stdinOnce = podContainer(pod, name)?.stdinOnce === true;
  const start = () => (attach ? container.process! : startExec(container, argv, opts));

  if (!isWebSocket) {
    if (!/^SPDY\/3\.1$/i.test(String(req.headers.upgrade ?? ''))) refuseSpdy();
    const protocol = negotiateSpdyProtocol(req.headers['x-stream-protocol-version']);
    if (!protocol) {
      throw badRequest(`unable to upgrade connection: unable to negotiate protocol: client supports [${req.headers['x-stream-protocol-version'] ?? ''}], server supports [${SPDY_REMOTE_COMMAND_PROTOCOLS.join(' ')}]`);
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    void serveSpdyRemoteCommand(socket, { ...opts, tty, protocol, argv, mode: sub as 'exec' | 'attach', stdinOnce, start }).then(report);
    return;
  }

  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    const protocol = parseChannelProtocol(ws.protocol) ?? { name: '', version: 1, base64: false };
    const sock = new ChannelSocket(ws, protocol);
    let proc;
    try {
      proc = start();
    } catch (err) {
      failSession(sock, { message: (err as Error).message, reason: 'InternalError', code: 500 });
      return;
    }
    void runSession(sock, proc, { ...opts, tty, argv, mode: sub as 'exec' | 'attach', stdinOnce }).then(report);
  });
}

/** Starts a command in the container, failing as the runtime reports an exec that cannot start. */
function startExec(container: SimContainer, argv: string[], opts: RemoteCommandOptions) {
  try {
    return container.exec(argv, { stdin: opts.stdin, tty: opts.tty });
  } catch (err) {
    throw new Error(
      `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: ${(err as Error).message}: unknown`,
    );
  }
}
