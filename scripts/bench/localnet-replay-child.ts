/**
 * Recording side of the localnet replay bench (localnet-replay.ts): a localnet with a journal in `dir`, whose every
 * gRPC-web call is logged (method, request bytes, wall time) together with each commit (digest, timestamp), so the
 * same load can be replayed deterministically against a copy of the journal taken at `snapshot`.
 */
import { appendFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransactionDataBuilder } from '@mysten/sui/transactions';
import { silentLogger } from '../../src/core/log.js';
import { startLocalnet } from '../../src/localnet/index.js';
import { GrpcWebServer, type ServiceType } from '../../src/localnet/rpc/grpc-web.js';

const dir = process.argv[2]!;
const log = join(dir, 'calls.jsonl');
let seq = 0;
let streams = 0;
const record = (r: Record<string, unknown>) => appendFileSync(log, JSON.stringify({ seq: seq++, t: Date.now(), ...r }) + '\n');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const io = (service: ServiceType, name: string) => service.methods.find((m) => m.name === name)!;

const proto = GrpcWebServer.prototype as any;
const unary = proto.unary;
const stream = proto.stream;
proto.unary = function (service: ServiceType, name: string, handler: any) {
  const path = `/${service.typeName}/${name}`;
  const { I } = io(service, name);
  return unary.call(this, service, name, (req: any, ctx: any) => {
    const bytes = I.toBinary(req);
    const digest = name === 'ExecuteTransaction' && req.transaction?.bcs?.value?.length ? TransactionDataBuilder.getDigestFromBytes(req.transaction.bcs.value) : undefined;
    record({ kind: 'unary', path, req: b64(bytes), digest });
    return handler(req, ctx);
  });
};
proto.stream = function (service: ServiceType, name: string, handler: any) {
  const path = `/${service.typeName}/${name}`;
  const { I } = io(service, name);
  return stream.call(this, service, name, async (req: any, send: any, ctx: any) => {
    const id = streams++;
    record({ kind: 'stream', id, path, req: b64(I.toBinary(req)) });
    try {
      await handler(req, send, ctx);
    } finally {
      record({ kind: 'streamEnd', id });
    }
  });
};

const net = await startLocalnet({ port: 0, faucetPort: 0, dataDir: join(dir, 'live'), checkpointMs: 0, logger: silentLogger });
const run = net.chain.run.bind(net.chain);
net.chain.run = (data, txBytes, o) => {
  if (!o.simulate) record({ kind: 'commit', digest: o.digest, ts: String(o.timestampMs) });
  return run(data, txBytes, o);
};
process.send!({ rpcUrl: net.rpcUrl, faucetUrl: net.faucetUrl, packageId: net.packageId });
process.on('message', (m) => {
  if (m === 'snapshot') {
    copyFileSync(join(dir, 'live', 'journal.jsonl'), join(dir, 'snapshot.jsonl'));
    record({ kind: 'snapshot' });
    process.send!('snapshot');
  }
  if (m === 'stop') void net.stop().then(() => process.exit(0));
});
