/**
 * A deterministic CPU bench of localnet: record once what the gateway and nautilus ask of it under load, then replay
 * that exact sequence of gRPC calls in process against the journal as it was before the load, with the recorded
 * clock, timing only localnet's work (request decoding, the handlers, reply encoding; no sockets). The replay hashes
 * every reply and the journal it appends, so two versions of localnet can be compared for CPU *and* for identical
 * observable output on the same recording.
 *
 *   node --import tsx scripts/bench/localnet-replay.ts record DIR [requests=300] [concurrency=50]
 *   node --import tsx scripts/bench/localnet-replay.ts replay DIR [runs=3]
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIST_PER_SUI } from '../../src/core/cluster-admin.js';
import { signCredential, type Credential } from '../../src/core/credential.js';
import { silentLogger } from '../../src/core/log.js';
import { startSandbox } from '../../src/dev/sandbox.js';
import type { Identity } from '../../src/gateway/submitters.js';
import { startLocalnet } from '../../src/localnet/index.js';
import { GrpcWebServer, type MessageType, type ServiceType } from '../../src/localnet/rpc/grpc-web.js';
import { stakedUser } from '../../test/helpers/e2e.js';
import { sandboxLoad } from './sandbox-load.js';

type Call =
  | { seq: number; t: number; kind: 'unary'; path: string; req: string; digest?: string }
  | { seq: number; t: number; kind: 'stream'; id: number; path: string; req: string }
  | { seq: number; t: number; kind: 'streamEnd'; id: number }
  | { seq: number; t: number; kind: 'commit'; digest: string; ts: string }
  | { seq: number; t: number; kind: 'snapshot' };

async function record(dir: string, n: number, concurrency: number): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const child = fork(fileURLToPath(new URL('./localnet-replay-child.ts', import.meta.url)), [dir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const remote = await new Promise<{ rpcUrl: string; faucetUrl: string; packageId: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as never));
    child.once('exit', (code) => reject(new Error(`localnet child exited with ${code}`)));
  });
  const sb = await startSandbox({ remoteLocalnet: remote, checkpointMs: 0, requestWarnings: false });
  try {
    const user = await stakedUser(sb, 'editor', 2n * MIST_PER_SUI);
    const value: Credential = { clusterId: sb.clusterId, gateway: sb.gatewayAddress, tokenId: user.tokenId, expiresMs: BigInt(Date.now() + 3600_000) };
    const signed = await signCredential(user.keypair, value);
    const identity: Identity = { user: user.address, credential: { bytes: signed.bytes, signature: signed.signature, value } };
    const enclaveKey = await sb.gatewayTracker.enclaveKey();
    let failures = 0;
    const load = async (count: number, tag: string) => {
      failures += await sandboxLoad(sb, identity, enclaveKey, { count, concurrency, tag });
    };
    await load(30, 'warmup');
    await new Promise<void>((resolve) => {
      child.once('message', () => resolve());
      child.send('snapshot');
    });
    await load(n, 'load');
    console.log(JSON.stringify({ recorded: n, concurrency, failures }));
  } finally {
    await sb.stop();
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
}

interface Item {
  at: number;
  clock: number;
  call: Extract<Call, { kind: 'unary' | 'stream' }>;
}

/** The calls after the snapshot, each executed transaction at the position of its commit (as its state saw it). */
function schedule(calls: Call[]): { start: number; items: Item[] } {
  const snap = calls.find((c) => c.kind === 'snapshot')!;
  const commits = new Map<string, Extract<Call, { kind: 'commit' }>[]>();
  for (const c of calls) if (c.kind === 'commit' && c.seq > snap.seq) commits.set(c.digest, [...(commits.get(c.digest) ?? []), c]);
  const ended = new Set(calls.filter((c) => c.kind === 'streamEnd' && c.seq < snap.seq).map((c) => (c as { id: number }).id));
  const items: Item[] = [];
  for (const c of calls) {
    if (c.kind === 'stream') {
      if (c.seq < snap.seq && ended.has(c.id)) continue;
      items.push({ at: c.seq < snap.seq ? -1 : c.seq, clock: Math.max(c.t, snap.t), call: c });
    } else if (c.kind === 'unary') {
      const commit = c.digest ? commits.get(c.digest)?.find((x) => x.seq > c.seq) : undefined;
      if (commit) {
        commits.get(c.digest!)!.splice(commits.get(c.digest!)!.indexOf(commit), 1);
        items.push({ at: commit.seq, clock: Number(commit.ts), call: c });
      } else if (c.seq > snap.seq) items.push({ at: c.seq, clock: c.t, call: c });
    }
  }
  items.sort((a, b) => a.at - b.at);
  return { start: snap.t, items };
}

async function replayOnce(dir: string, plan: { start: number; items: Item[] }) {
  const data = mkdtempSync(join(tmpdir(), 'localnet-replay-'));
  copyFileSync(join(dir, 'snapshot.jsonl'), join(data, 'journal.jsonl'));
  const journalStart = statSync(join(data, 'journal.jsonl')).size;
  const routes = new Map<string, { I: MessageType; O: MessageType; handler: any }>();
  const proto = GrpcWebServer.prototype as any;
  const unary = proto.unary;
  const stream = proto.stream;
  const capture = (orig: any) =>
    function (this: unknown, service: ServiceType, name: string, handler: any) {
      const m = service.methods.find((x) => x.name === name)!;
      routes.set(`/${service.typeName}/${name}`, { I: m.I, O: m.O, handler });
      return orig.call(this, service, name, handler);
    };
  proto.unary = capture(unary);
  proto.stream = capture(stream);
  let now = plan.start;
  const net = await startLocalnet({ port: 0, faucetPort: 0, dataDir: data, checkpointMs: 0, clock: () => now, logger: silentLogger });
  proto.unary = unary;
  proto.stream = stream;
  const replies = createHash('sha256');
  const streamHashes = new Map<number, ReturnType<typeof createHash>>();
  const abort = new AbortController();
  const ctx = { signal: abort.signal };
  const outcomes: Record<string, { ok: number; error: number; ms: number }> = {};
  const pending: Promise<unknown>[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const item of plan.items) {
    now = item.clock;
    const route = routes.get(item.call.path)!;
    const req = route.I.fromBinary(Buffer.from(item.call.req, 'base64'));
    const o = (outcomes[item.call.path.split('/').pop()!] ??= { ok: 0, error: 0, ms: 0 });
    const s = performance.now();
    if (item.call.kind === 'stream') {
      const h = createHash('sha256');
      streamHashes.set(item.call.id, h);
      const send = async (msg: unknown) => void h.update(route.O.toBinary(route.O.create(msg)));
      const done = Promise.resolve(route.handler(req, send, ctx)).then(
        () => o.ok++,
        (err) => (o.error++, h.update(`error ${err.status} ${err.message}`)),
      );
      if (item.call.path.includes('/Subscribe')) pending.push(done);
      else await done;
    } else {
      try {
        const reply = await route.handler(req, ctx);
        replies.update(item.call.path).update(route.O.toBinary(route.O.create(reply)));
        o.ok++;
      } catch (err) {
        replies.update(`${item.call.path} error ${(err as any).status} ${(err as Error).message}`);
        o.error++;
      }
    }
    o.ms += performance.now() - s;
  }
  await new Promise((r) => setImmediate(r));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  abort.abort();
  await Promise.allSettled(pending);
  await net.stop();
  const journal = readFileSync(join(data, 'journal.jsonl')).subarray(journalStart);
  rmSync(data, { recursive: true, force: true });
  const streamsHash = createHash('sha256');
  for (const id of [...streamHashes.keys()].sort((a, b) => a - b)) streamsHash.update(streamHashes.get(id)!.digest());
  return {
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    wallMs: Math.round(wallMs),
    calls: Object.fromEntries(Object.entries(outcomes).map(([k, v]) => [k, { ...v, ms: Math.round(v.ms) }])),
    replies: replies.digest('hex').slice(0, 16),
    streams: streamsHash.digest('hex').slice(0, 16),
    journal: createHash('sha256').update(journal).digest('hex').slice(0, 16),
    journalBytes: journal.length,
  };
}

const [mode, dir, a, b] = process.argv.slice(2);
if (mode === 'record' && dir) await record(dir, Number(a ?? 300), Number(b ?? 50));
else if (mode === 'replay' && dir) {
  const plan = schedule(readFileSync(join(dir, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Call));
  for (let i = 0; i < Number(a ?? 3); i++) console.log(JSON.stringify({ run: i + 1, items: plan.items.length, ...(await replayOnce(dir, plan)) }));
} else {
  console.error('usage: localnet-replay.ts record DIR [requests] [concurrency] | replay DIR [runs]');
  process.exit(2);
}
