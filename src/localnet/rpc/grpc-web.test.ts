import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcTypes } from '@mysten/sui/grpc';
import { dataFrame, firstMessage, GrpcError, GrpcWebServer, trailerFrame } from './grpc-web.js';

describe('gRPC-web framing', () => {
  it('frames data and trailers', () => {
    expect([...dataFrame(new Uint8Array([9, 8]))]).toEqual([0, 0, 0, 0, 2, 9, 8]);
    const t = trailerFrame(5, 'not found: a b');
    expect(t[0]).toBe(0x80);
    expect(t.subarray(5).toString()).toBe('grpc-status:5\r\ngrpc-message:not%20found%3A%20a%20b\r\n');
    expect([...firstMessage(Buffer.concat([dataFrame(new Uint8Array([1])), trailerFrame(0)]))]).toEqual([1]);
    expect(() => firstMessage(Buffer.from([0, 0, 0, 0, 9, 1]))).toThrow(GrpcError);
  });
});

describe('GrpcWebServer', () => {
  const server = new GrpcWebServer();
  let base = '';
  beforeAll(async () => {
    server.unary(GrpcTypes.LedgerService, 'GetServiceInfo', () => ({ chainId: 'abc' }));
    server.unary(GrpcTypes.LedgerService, 'GetEpoch', () => {
      throw new GrpcError(5, 'no such epoch');
    });
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => server.close());

  const call = async (path: string, body: Buffer, type = 'application/grpc-web+proto') => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': type }, body });
    return { type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  };

  it('answers text requests with binary frames and a trailer', async () => {
    const req = dataFrame(GrpcTypes.GetServiceInfoRequest.toBinary(GrpcTypes.GetServiceInfoRequest.create()));
    const res = await call('/sui.rpc.v2.LedgerService/GetServiceInfo', Buffer.from(req.toString('base64')), 'application/grpc-web-text');
    expect(res.type).toBe('application/grpc-web+proto');
    const msg = GrpcTypes.GetServiceInfoResponse.fromBinary(firstMessage(res.body));
    expect(msg.chainId).toBe('abc');
    expect(res.body.toString('latin1')).toContain('grpc-status:0');
  });

  it('reports errors and unknown methods in the trailer', async () => {
    const err = await call('/sui.rpc.v2.LedgerService/GetEpoch', dataFrame(new Uint8Array()));
    expect(err.body.toString()).toContain('grpc-status:5\r\ngrpc-message:no%20such%20epoch');
    const unknown = await call('/sui.rpc.v2.Nope/Method', dataFrame(new Uint8Array()));
    expect(unknown.body.toString()).toContain('grpc-status:12');
    expect(decodeURIComponent(unknown.body.toString())).toContain('sui.rpc.v2.Nope/Method is not implemented');
  });

  it('keeps its own time per answered method, served as JSON on GET /debug/rpc-stats', async () => {
    const before = server.stats().GetServiceInfo?.calls ?? 0;
    const req = dataFrame(GrpcTypes.GetServiceInfoRequest.toBinary(GrpcTypes.GetServiceInfoRequest.create()));
    await call('/sui.rpc.v2.LedgerService/GetServiceInfo', Buffer.from(req));
    await call('/sui.rpc.v2.LedgerService/GetServiceInfo', Buffer.from(req));
    const stats = (await (await fetch(`${base}/debug/rpc-stats`)).json()) as Record<string, { calls: number; seconds: number }>;
    expect(stats.GetServiceInfo!.calls).toBe(before + 2);
    expect(stats.GetServiceInfo!.seconds).toBeGreaterThan(0);
    // A refused call is no answer.
    expect(stats.GetEpoch).toBeUndefined();
  });
});
