/**
 * gRPC-web over HTTP/1.1 with node:http: binary and text requests, unary and server-streaming methods, a trailer
 * frame on every response, errors as grpc-status / grpc-message. Messages are (de)serialised with the protobuf-ts
 * message types the SDK ships (`GrpcTypes`), so no protoc or HTTP/2 is needed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** gRPC status codes used by localnet. */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

export class GrpcError extends Error {
  readonly code = 'GRPC_ERROR';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcError';
  }
}

/** The parts of a protobuf-ts MessageType localnet uses. */
export interface MessageType<T = any> {
  readonly typeName: string;
  readonly fields: readonly any[];
  create(value?: any): T;
  toBinary(message: T): Uint8Array;
  fromBinary(bytes: Uint8Array): T;
}

interface MethodInfo {
  name: string;
  I: MessageType;
  O: MessageType;
  serverStreaming?: boolean;
}
export interface ServiceType {
  typeName: string;
  methods: readonly MethodInfo[];
}

export interface CallContext {
  signal: AbortSignal;
}
export type UnaryHandler = (req: any, ctx: CallContext) => Promise<any> | any;
/** A streaming handler sends frames until it returns (or the client goes away: `ctx.signal`). */
export type StreamHandler = (req: any, send: (msg: any) => Promise<void>, ctx: CallContext) => Promise<void>;

interface Route {
  method: MethodInfo;
  unary?: UnaryHandler;
  stream?: StreamHandler;
}

export interface GrpcWebLogger {
  (level: 'debug' | 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void;
}

const CONTENT_TYPE = 'application/grpc-web+proto';

export function dataFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

export function trailerFrame(status: number, message = ''): Buffer {
  const text = Buffer.from(`grpc-status:${status}\r\ngrpc-message:${encodeURIComponent(message)}\r\n`);
  const frame = Buffer.alloc(5 + text.length);
  frame[0] = 0x80;
  frame.writeUInt32BE(text.length, 1);
  frame.set(text, 5);
  return frame;
}

/** The first data frame of a gRPC-web request body (empty message when there is none). */
export function firstMessage(body: Buffer): Uint8Array {
  let offset = 0;
  while (offset + 5 <= body.length) {
    const flag = body[offset]!;
    const length = body.readUInt32BE(offset + 1);
    if (offset + 5 + length > body.length) throw new GrpcError(Code.INVALID_ARGUMENT, 'truncated gRPC-web frame');
    if ((flag & 0x80) === 0) return body.subarray(offset + 5, offset + 5 + length);
    offset += 5 + length;
  }
  if (offset !== body.length) throw new GrpcError(Code.INVALID_ARGUMENT, 'malformed gRPC-web frame');
  return new Uint8Array();
}

export class GrpcWebServer {
  readonly #routes = new Map<string, Route>();
  readonly #server: http.Server;
  readonly #log: GrpcWebLogger;
  readonly #maxBody: number;
  /** Per method: calls answered and seconds spent on them here (from the request read to the reply's end). */
  readonly #stats = new Map<string, { calls: number; seconds: number }>();

  constructor(options: { log?: GrpcWebLogger; maxBodyBytes?: number } = {}) {
    this.#log = options.log ?? (() => {});
    this.#maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 5_000;
  }

  unary(service: ServiceType, name: string, handler: UnaryHandler): this {
    return this.#add(service, name, { unary: handler });
  }

  stream(service: ServiceType, name: string, handler: StreamHandler): this {
    return this.#add(service, name, { stream: handler });
  }

  #add(service: ServiceType, name: string, h: Omit<Route, 'method'>): this {
    const method = service.methods.find((m) => m.name === name);
    if (!method) throw new Error(`${service.typeName} has no method ${name}`);
    if (!!method.serverStreaming !== !!h.stream) throw new Error(`${service.typeName}/${name}: wrong handler kind`);
    this.#routes.set(`/${service.typeName}/${name}`, { method, ...h });
    return this;
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** What each method cost this server so far (the test chain's own share of a caller's wait). */
  stats(): Record<string, { calls: number; seconds: number }> {
    return Object.fromEntries([...this.#stats].map(([m, v]) => [m, { ...v }]));
  }

  #observe(method: string, since: number): void {
    let s = this.#stats.get(method);
    if (!s) this.#stats.set(method, (s = { calls: 0, seconds: 0 }));
    s.calls++;
    s.seconds += (performance.now() - since) / 1000;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'grpc-status,grpc-message');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
      });
      res.end();
      return;
    }
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && path === '/debug/rpc-stats') {
      // Test equipment's own instrument (benchmarks): server-side time per method, as JSON.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.stats()));
      return;
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let headersSent = false;
    const start = () => {
      if (headersSent) return;
      headersSent = true;
      res.writeHead(200, { 'content-type': CONTENT_TYPE, 'cache-control': 'no-cache' });
    };
    const fail = (status: number, message: string) => {
      start();
      res.end(trailerFrame(status, message));
    };
    try {
      if (req.method !== 'POST') throw new GrpcError(Code.UNIMPLEMENTED, `method ${req.method} ${path} is not gRPC-web`);
      const route = this.#routes.get(path);
      const body = await readBody(req, this.#maxBody);
      if (!route) {
        throw new GrpcError(Code.UNIMPLEMENTED, `method ${path.replace(/^\//, '')} is not implemented by localnet`);
      }
      const contentType = String(req.headers['content-type'] ?? '');
      const raw = contentType.includes('grpc-web-text') ? Buffer.from(body.toString('latin1'), 'base64') : body;
      let request: unknown;
      try {
        request = route.method.I.fromBinary(firstMessage(raw));
      } catch (err) {
        throw new GrpcError(Code.INVALID_ARGUMENT, `cannot decode ${route.method.I.typeName}: ${(err as Error).message}`);
      }
      const ctx = { signal: abort.signal };
      const since = performance.now();
      if (route.unary) {
        const reply = await route.unary(request, ctx);
        start();
        res.write(dataFrame(route.method.O.toBinary(route.method.O.create(reply))));
        res.end(trailerFrame(Code.OK));
        this.#observe(route.method.name, since);
        return;
      }
      start();
      res.flushHeaders();
      const send = async (msg: unknown) => {
        if (abort.signal.aborted) throw new GrpcError(Code.CANCELLED, 'client went away');
        const ok = res.write(dataFrame(route.method.O.toBinary(route.method.O.create(msg))));
        if (!ok) await waitDrain(res, abort.signal);
      };
      await route.stream!(request, send, ctx);
      if (!abort.signal.aborted) res.end(trailerFrame(Code.OK));
      this.#observe(route.method.name, since);
    } catch (err) {
      if (abort.signal.aborted) return;
      if (err instanceof GrpcError) {
        this.#log('debug', 'grpc error', { path, status: err.status, message: err.message });
        fail(err.status, err.message);
      } else {
        this.#log('error', 'grpc handler failed', { path, error: (err as Error).stack ?? String(err) });
        fail(Code.INTERNAL, (err as Error).message ?? 'internal error');
      }
    }
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new GrpcError(Code.INVALID_ARGUMENT, `request body exceeds ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function waitDrain(res: http.ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done);
  });
}
