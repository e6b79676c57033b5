/**
 * Join tokens for workers, issued by the enclave host. On `WorkerRegistered` for its cluster it obtains a fresh
 * per-worker bootstrap token from a TokenSource (`k3s token create` on the supervised server, a command, a file,
 * or a generator for dev), seals it to the worker's X25519 key (purpose 'join-token', bound to the Worker id and
 * owner), signs `JoinTokenPayload` with the enclave key and calls `set_join_token`. Only the ciphertext reaches
 * the chain. It also watches heartbeats and calls the permissionless `mark_inactive` for silent workers.
 *
 * The server's own node-token (`K10…::server:…`) grants full admin and is never issued: sources that return one
 * are refused.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { SuiClientTypes } from '@mysten/sui/client';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { INTENT_JOIN_TOKEN } from '../core/abi/package.js';
import * as calls from '../core/calls/index.js';
import { retry } from '../core/retry.js';
import { ChainFollower, creationCheckpoint, objectContent, readCluster, type ChainClient, type CursorStore, type TransactionExecutor } from '../core/chain/index.js';
import { digest, seal } from '../core/crypto/index.js';
import { joinTokenBinding } from '../core/envelope/binding.js';
import { decodeEvent, decodeObjectContent, type Worker, type WorkerRegistered } from '../core/events/index.js';
import { K3sDaasError, MoveAbortError } from '../core/errors.js';
import { signIntent } from '../core/intent.js';
import { silentLogger, type Logger } from '../core/log.js';
import type { EnclaveKey } from './enclave-key.js';

const run = promisify(execFile);

// === Token sources ===

export interface TokenRequest {
  workerId: string;
  nodeName: string;
  owner: string;
}

/** Where per-worker bootstrap tokens come from. */
export interface TokenSource {
  readonly name: string;
  token(request: TokenRequest): Promise<string>;
}

function checked(source: string, raw: string): string {
  const token = raw.trim();
  if (!/^[\x21-\x7e]{8,4096}$/.test(token)) {
    throw new K3sDaasError('JOIN_TOKEN_SOURCE_FAILED', `${source} did not produce a token (expected one line of printable characters)`);
  }
  if (/::server:/.test(token)) {
    throw new K3sDaasError('JOIN_TOKEN_REFUSED', `${source} produced the server's own token (::server:), which grants full admin; configure a bootstrap token source`);
  }
  return token;
}

/** `k3s token create --ttl <ttl> --description <...>` on the k3s server this host supervises. */
export function k3sTokenSource(o: { k3sBin?: string; ttl?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {}): TokenSource {
  const bin = o.k3sBin ?? 'k3s';
  return {
    name: 'k3s token create',
    async token(r) {
      const description = `k3sdaas worker ${r.nodeName} (${r.workerId})`;
      const args = ['token', 'create', '--ttl', o.ttl ?? '1h', '--description', description, ...(o.args ?? [])];
      try {
        const { stdout } = await run(bin, args, { env: o.env ?? process.env, timeout: 30_000 });
        return checked('k3s token create', stdout.split('\n').filter(Boolean).pop() ?? '');
      } catch (err) {
        if (err instanceof K3sDaasError) throw err;
        throw new K3sDaasError('JOIN_TOKEN_SOURCE_FAILED', `k3s token create failed: ${(err as Error).message.split('\n')[0]}`, { retryable: true, cause: err });
      }
    },
  };
}

/** A configured command; it gets K3SDAAS_NODE_NAME / K3SDAAS_WORKER_ID / K3SDAAS_WORKER_OWNER and prints the token. */
export function commandTokenSource(command: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): TokenSource {
  return {
    name: `command ${command}`,
    async token(r) {
      try {
        const { stdout } = await run(command, args, {
          env: { ...env, K3SDAAS_NODE_NAME: r.nodeName, K3SDAAS_WORKER_ID: r.workerId, K3SDAAS_WORKER_OWNER: r.owner },
          timeout: 30_000,
        });
        return checked(`command ${command}`, stdout);
      } catch (err) {
        if (err instanceof K3sDaasError) throw err;
        throw new K3sDaasError('JOIN_TOKEN_SOURCE_FAILED', `token command ${command} failed: ${(err as Error).message.split('\n')[0]}`, { retryable: true, cause: err });
      }
    },
  };
}

/** A file holding one (agent/bootstrap) token, read at each issue. k3s's `server/node-token` is refused. */
export function fileTokenSource(file: string): TokenSource {
  if (/(^|\/)server\/(node-)?token$/.test(file)) {
    throw new K3sDaasError('JOIN_TOKEN_REFUSED', `${file} is the k3s server's own token, which grants full admin; use an agent token or k3s token create`);
  }
  return { name: `file ${file}`, token: async () => checked(`token file ${file}`, readFileSync(file, 'utf8')) };
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomAlnum = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');

/** Dev/tests: fresh k3s-format bootstrap tokens `K10<ca sha256 hex>::<6>.<16>` (nothing checks them). */
export function generatedTokenSource(caHash?: Uint8Array): TokenSource {
  const ca = caHash && caHash.length ? Buffer.from(caHash).toString('hex') : randomBytes(32).toString('hex');
  return { name: 'generated', token: async () => `K10${ca}::${randomAlnum(6)}.${randomAlnum(16)}` };
}

/**
 * A token source from a flag or config value: `k3s` / `k3s:<path to k3s>` (k3s token create, ttl 1h),
 * `command:<executable> [args…]` (split on spaces), `file:<path>`, or `generated` (dev only).
 */
export function tokenSourceFromSpec(spec: string, o: { ttl?: string; caHash?: Uint8Array; env?: NodeJS.ProcessEnv } = {}): TokenSource {
  const [kind, ...rest] = spec.split(':');
  const arg = rest.join(':').trim();
  switch (kind) {
    case 'k3s':
      return k3sTokenSource({ k3sBin: arg || undefined, ttl: o.ttl, env: o.env });
    case 'command': {
      const [command, ...args] = arg.split(/\s+/).filter(Boolean);
      if (command) return commandTokenSource(command, args, o.env);
      break;
    }
    case 'file':
      if (arg) return fileTokenSource(arg);
      break;
    case 'generated':
      return generatedTokenSource(o.caHash);
  }
  throw new K3sDaasError('JOIN_TOKEN_SOURCE_INVALID', `invalid join token source '${spec}': use k3s, k3s:<path>, command:<executable> [args], file:<path> or generated`);
}

// === Issuer ===

export type JoinTokenEvent =
  | { type: 'issued'; workerId: string; nodeName: string; owner: string; tx: string }
  | { type: 'issue-failed'; workerId: string; nodeName: string; error: Error }
  | { type: 'inactive'; workerId: string; nodeName: string; lastHeartbeatMs: bigint; tx: string };

export interface JoinTokenIssuerOptions {
  client: ChainClient;
  /** Pays gas for set_join_token and mark_inactive (the operator's account). */
  executor: TransactionExecutor;
  /** The LATEST package id (Move calls). */
  packageId: string;
  /** The ORIGINAL package id (event types; default packageId). */
  originalPackageId?: string;
  clusterId: string;
  enclaveKey: EnclaveKey;
  source: TokenSource;
  cursors: CursorStore;
  logger?: Logger;
  /** How often silent workers are looked for. Default: a third of the cluster's heartbeat timeout (at least 1 s). */
  inactivityCheckMs?: number;
  /** Off: never call mark_inactive. */
  markInactive?: boolean;
  now?: () => number;
  onEvent?: (event: JoinTokenEvent) => void;
}

const STREAM = 'join-tokens';
const KNOWN = 'join-tokens/workers';
/** Tries at issuing one worker's join token (the project's retry policy between them). */
const ISSUE_ATTEMPTS = 5;

export class JoinTokenIssuer {
  readonly #o: JoinTokenIssuerOptions;
  readonly #log: Logger;
  readonly #known = new Map<string, string>(); // worker id -> node name (active workers of this cluster)
  #follower: ChainFollower | null = null;
  #timer: NodeJS.Timeout | null = null;
  #checking: Promise<void> | null = null;
  #stopped = false;

  constructor(options: JoinTokenIssuerOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'join-tokens', cluster: options.clusterId });
    const saved = options.cursors.get(KNOWN);
    if (saved) for (const [id, name] of Object.entries(JSON.parse(saved) as Record<string, string>)) this.#known.set(id, name);
  }

  get follower(): ChainFollower | null {
    return this.#follower;
  }

  /** Active workers of the cluster this issuer watches (id → node name). */
  get workers(): ReadonlyMap<string, string> {
    return this.#known;
  }

  async start(): Promise<void> {
    let every = this.#o.inactivityCheckMs;
    if (every === undefined) {
      const cluster = await readCluster(this.#o.client, this.#o.clusterId);
      every = Math.max(1_000, Math.floor(Number(cluster.heartbeatTimeoutMs) / 3));
    }
    this.#follower = new ChainFollower({
      client: this.#o.client,
      streams: [{ name: STREAM, filter: { eventType: `${this.#o.originalPackageId ?? this.#o.packageId}::workers` } }],
      cursors: this.#o.cursors,
      startCheckpoint: () => creationCheckpoint(this.#o.client, this.#o.clusterId),
      onEvents: (_s, events) => this.#accept(events),
      logger: this.#log,
    }).start();
    if (this.#o.markInactive !== false) {
      this.#timer = setInterval(() => void this.checkHeartbeats().catch((err) => this.#log.warn('heartbeat check failed', { error: err })), every);
      this.#timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#follower?.stop();
    await this.#checking?.catch(() => undefined);
  }

  #save(): void {
    this.#o.cursors.set(KNOWN, JSON.stringify(Object.fromEntries(this.#known)));
  }

  async #accept(events: SuiClientTypes.EventEntry[]): Promise<void> {
    const cluster = normalizeSuiAddress(this.#o.clusterId);
    for (const raw of events) {
      const ev = decodeEvent(raw, { packageId: this.#o.originalPackageId ?? this.#o.packageId });
      if (!ev || !('clusterId' in ev) || normalizeSuiAddress(ev.clusterId) !== cluster) continue;
      if (ev.$kind === 'WorkerRegistered') {
        this.#known.set(ev.workerId, ev.nodeName);
        this.#save();
        if (!this.#stopped && ev.approved) await this.#issue(ev);
      } else if (ev.$kind === 'WorkerApproved') {
        // Approval clusters: the join token follows the cap holder's approval.
        if (!this.#stopped) await this.#issue({ workerId: ev.workerId, nodeName: this.#known.get(ev.workerId) ?? '' });
      } else if (ev.$kind === 'WorkerLeft' || ev.$kind === 'WorkerLeaving' || ev.$kind === 'WorkerInactive') {
        if (this.#known.delete(ev.workerId)) this.#save();
      }
    }
  }

  async #readWorker(id: string): Promise<Worker | null> {
    const obj = await objectContent(this.#o.client, id);
    return obj && /::workers::Worker$/.test(obj.type) ? decodeObjectContent('Worker', obj.content) : null;
  }

  /** Issues the join token of one registered worker (skipped when it is gone, inactive, unapproved or already has one). */
  async #issue(ev: Pick<WorkerRegistered, 'workerId' | 'nodeName'>): Promise<void> {
    const { executor, packageId, clusterId, enclaveKey, source } = this.#o;
    const log = this.#log.child({ worker: ev.workerId, node: ev.nodeName });
    await retry(async (attempt) => {
      try {
        const worker = await this.#readWorker(ev.workerId);
        if (!worker || !worker.active || !worker.approved || worker.joinToken.length > 0) return;
        const token = await source.token({ workerId: worker.id, nodeName: worker.nodeName, owner: worker.owner });
        const ciphertext = seal(new TextEncoder().encode(token), worker.encryptionKey, 'join-token', joinTokenBinding({ workerId: worker.id, owner: worker.owner }));
        const timestampMs = this.#now();
        const signature = await signIntent(enclaveKey, INTENT_JOIN_TOKEN, timestampMs, {
          workerId: worker.id,
          owner: worker.owner,
          encryptionKey: worker.encryptionKey,
          ciphertextDigest: digest(ciphertext),
        });
        const tx = await executor.execute(
          calls.workers.setJoinToken({ package: packageId, arguments: { cluster: clusterId, worker: worker.id, ciphertext, timestampMs, signature } }),
        );
        log.info('join token issued', { source: source.name, tx: tx.digest });
        this.#o.onEvent?.({ type: 'issued', workerId: worker.id, nodeName: worker.nodeName, owner: worker.owner, tx: tx.digest });
        return;
      } catch (err) {
        if (err instanceof MoveAbortError && err.abortName === 'EInactive') return;
        const again = attempt < ISSUE_ATTEMPTS && !this.#stopped && !(err instanceof K3sDaasError && err.code === 'JOIN_TOKEN_REFUSED');
        if (again) {
          log.warn('issuing the join token failed; retrying', { error: err, attempt });
          throw err;
        }
        log.error('could not issue the join token', { error: err, attempt });
        this.#o.onEvent?.({ type: 'issue-failed', workerId: ev.workerId, nodeName: ev.nodeName, error: err as Error });
      }
      // The project's retry policy: backoff with jitter; the decision to retry is made above.
    }, { policy: { retries: ISSUE_ATTEMPTS - 1, minDelayMs: 400, retryable: () => !this.#stopped } }).catch(() => undefined);
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /** Marks every known worker whose last heartbeat is older than the cluster's timeout inactive (permissionless). */
  checkHeartbeats(): Promise<void> {
    return (this.#checking ??= this.#check().finally(() => (this.#checking = null)));
  }

  async #check(): Promise<void> {
    if (!this.#known.size) return;
    const { client, executor, packageId, clusterId } = this.#o;
    const cluster = await readCluster(client, clusterId);
    for (const [id, nodeName] of [...this.#known]) {
      if (this.#stopped) return;
      const worker = await this.#readWorker(id);
      if (!worker || !worker.active) {
        this.#known.delete(id);
        this.#save();
        continue;
      }
      if (BigInt(this.#now()) <= worker.lastHeartbeatMs + cluster.heartbeatTimeoutMs) continue;
      try {
        const tx = await executor.execute(calls.workers.markInactive({ package: packageId, arguments: { cluster: clusterId, worker: id } }));
        this.#known.delete(id);
        this.#save();
        this.#log.warn('worker marked inactive: heartbeats stopped', { worker: id, node: nodeName, lastHeartbeatMs: worker.lastHeartbeatMs, tx: tx.digest });
        this.#o.onEvent?.({ type: 'inactive', workerId: id, nodeName, lastHeartbeatMs: worker.lastHeartbeatMs, tx: tx.digest });
      } catch (err) {
        // EHeartbeatNotExpired: our clock ran ahead of the chain's, or a beat just landed; look again next time.
        if (err instanceof MoveAbortError && (err.abortName === 'EHeartbeatNotExpired' || err.abortName === 'EInactive')) continue;
        throw err;
      }
    }
  }
}
