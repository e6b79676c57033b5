import { bcs } from '@mysten/sui/bcs';
import type { GrpcTypes } from '@mysten/sui/grpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { describe, expect, it } from 'vitest';
import { signCredential } from '../core/credential.js';
import type { K3sDaasEvent } from '../core/events/index.js';
import { lifecycleFromEvent, rejectionFromTransaction } from './chain-events.js';

const PKG = '0x' + 'da'.repeat(32);
const CLUSTER = '0x' + 'c1'.repeat(32);
const GATEWAY = '0x' + '9a'.repeat(32);
const user = Ed25519Keypair.fromSecretKey(new Uint8Array(32).fill(7));

const pure = (bytes: Uint8Array): GrpcTypes.Input => ({ pure: bytes }) as GrpcTypes.Input;
const str = (s: string) => pure(bcs.string().serialize(s).toBytes());
const bytes = (b: Uint8Array) => pure(bcs.byteVector().serialize(b).toBytes());

async function gatewaySubmit(abort: { module: string; code: bigint } | null, fn = 'submit_via_gateway'): Promise<GrpcTypes.ExecutedTransaction> {
  const signed = await signCredential(user, { clusterId: CLUSTER, gateway: GATEWAY, tokenId: '0x' + '70'.repeat(32), expiresMs: 1n });
  const inputs = [{ objectId: CLUSTER } as GrpcTypes.Input, bytes(signed.bytes), bytes(signed.signature), str('DELETE'), str('/api/v1/namespaces/kube-system/pods/x')];
  return {
    digest: 'Digest1',
    checkpoint: 9n,
    timestamp: { seconds: 1_700_000_000n, nanos: 5_000_000 },
    transaction: {
      sender: GATEWAY,
      kind: {
        data: {
          oneofKind: 'programmableTransaction',
          programmableTransaction: {
            inputs,
            commands: [{ command: { oneofKind: 'moveCall', moveCall: { package: PKG, module: 'request', function: fn, typeArguments: [], arguments: inputs.map((_, i) => ({ input: i })) } } }],
          },
        },
      },
    },
    effects: {
      status: {
        success: false,
        error: abort
          ? { description: 'MoveAbort', errorDetails: { oneofKind: 'abort', abort: { abortCode: abort.code, location: { package: PKG, module: abort.module, functionName: 'x' } } } }
          : { description: 'InsufficientGas', errorDetails: { oneofKind: undefined } },
      },
    },
  } as unknown as GrpcTypes.ExecutedTransaction;
}

describe('rejectionFromTransaction', () => {
  it('a failed submit_via_gateway: requester from the credential signature, the contract error and its words', async () => {
    const e = rejectionFromTransaction(await gatewaySubmit({ module: 'access', code: 7n }), PKG, CLUSTER);
    expect(e).toEqual({
      kind: 'rejected',
      txDigest: 'Digest1',
      checkpoint: '9',
      timestampMs: 1_700_000_000_005,
      requester: user.toSuiAddress(),
      gateway: GATEWAY,
      method: 'DELETE',
      path: '/api/v1/namespaces/kube-system/pods/x',
      abortModule: 'access',
      abortCode: 7,
      abortName: 'ERoleCannotWriteClusterScoped',
      reason: "your SealToken's role (editor) allows writes only to namespaced resources",
    });
  });

  it('a failure that is not a Move abort keeps the description as the reason', async () => {
    const e = rejectionFromTransaction(await gatewaySubmit(null), PKG);
    expect(e).toMatchObject({ abortModule: null, abortName: null, reason: 'InsufficientGas' });
  });

  it('ignores other clusters, other functions, other packages and successes', async () => {
    expect(rejectionFromTransaction(await gatewaySubmit({ module: 'access', code: 5n }), PKG, '0x' + '12'.repeat(32))).toBeNull();
    expect(rejectionFromTransaction(await gatewaySubmit({ module: 'request', code: 7n }, 'respond'), PKG)).toBeNull();
    expect(rejectionFromTransaction(await gatewaySubmit({ module: 'access', code: 5n }), '0x' + 'ab'.repeat(32))).toBeNull();
    const ok = await gatewaySubmit(null);
    ok.effects!.status = { success: true } as GrpcTypes.ExecutionStatus;
    expect(rejectionFromTransaction(ok, PKG)).toBeNull();
  });
});

describe('lifecycleFromEvent', () => {
  const stored = {
    $kind: 'ResponseStored',
    packageId: PKG,
    requestId: '0x01',
    clusterId: CLUSTER,
    requester: '0xa',
    status: 201,
    bodyDigest: new Uint8Array(),
    bodySize: 3n,
    body: new Uint8Array(),
    bodyBlob: '',
    timestampMs: 5n,
    signature: new Uint8Array(),
    latencyMs: 40n,
  } as K3sDaasEvent;

  it('maps events with their transaction and checkpoint, filtered by cluster', () => {
    expect(lifecycleFromEvent(stored, { txDigest: 'T', checkpoint: '3' }, CLUSTER)).toEqual({
      kind: 'stored',
      txDigest: 'T',
      checkpoint: '3',
      timestampMs: 5,
      requestId: '0x01',
      status: 201,
      latencyMs: 40,
      bodySize: 3,
    });
    expect(lifecycleFromEvent(stored, { txDigest: 'T' }, '0x' + '12'.repeat(32))).toBeNull();
    expect(lifecycleFromEvent({ $kind: 'GatewayRegistered', packageId: PKG, clusterId: CLUSTER, gateway: GATEWAY }, { txDigest: 'T' })).toBeNull();
  });

  it('tenancy events: claims, grants, revokes, top-ups, slashes, fees, revenue; plain lines name them', async () => {
    const { plainLine } = await import('./plain.js');
    const T = '0x' + '70'.repeat(32);
    const base = { packageId: PKG, clusterId: CLUSTER };
    const cases: Array<[K3sDaasEvent, string, RegExp]> = [
      [{ $kind: 'NamespaceClaimed', ...base, tokenId: T, owner: '0xa', namespace: 'team-a' }, 'namespace-claimed', /namespace-claimed\s+team-a by token 0x7070/],
      [{ $kind: 'NamespaceReleased', ...base, tokenId: T, namespace: 'team-a' }, 'namespace-released', /team-a by token/],
      [{ $kind: 'RoleGranted', ...base, tokenId: T, role: 2 }, 'role-granted', /admin to token 0x7070/],
      [{ $kind: 'RoleRevoked', ...base, tokenId: T, role: 1 }, 'role-revoked', /editor from token 0x7070/],
      [{ $kind: 'ToppedUp', ...base, tokenId: T, amount: 500_000_000n, prepaid: 1_500_000_000n }, 'topped-up', /\+0\.5 SUI prepaid 1\.5 SUI/],
      [{ $kind: 'Slashed', ...base, tokenId: T, amount: 1_000_000_000n, reason: 2, remaining: 500_000_000n }, 'slashed', /token 0x7070.* 1 SUI \(abuse\), 0\.5 SUI left/],
      [{ $kind: 'FeesUpdated', ...base, readFee: 1000n, writeFee: 5000n }, 'fees-updated', /read .* write .* per request/],
      [{ $kind: 'RevenueWithdrawn', ...base, recipient: '0xop', amount: 2_000_000_000n }, 'revenue-withdrawn', /2 SUI to 0xop/],
    ];
    for (const [ev, kind, line] of cases) {
      const e = lifecycleFromEvent(ev, { txDigest: 'T' }, CLUSTER);
      expect(e?.kind).toBe(kind);
      expect(plainLine(e!)).toMatch(line);
      expect(lifecycleFromEvent(ev, { txDigest: 'T' }, '0x' + '12'.repeat(32))).toBeNull();
    }
    const paid = lifecycleFromEvent({ ...stored, fee: 1000n } as K3sDaasEvent, { txDigest: 'T' }, CLUSTER)!;
    expect(plainLine(paid)).toMatch(/fee 0\.000001 SUI tx T/);
  });
});
