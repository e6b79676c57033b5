import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { bcs } from '@mysten/sui/bcs';
import { startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';
import { buildOffline, Counter, DEMO_ABI, DEMO_ELIMIT, DEMO_FUNCTIONS, signAndSubmit } from '../src/localnet/testing.js';
import { SimulationError, type SuiClientTypes } from '@mysten/sui/client';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bcsForStruct } from '../src/core/abi/bcs.js';
import { K3SDAAS_ABI, errorName } from '../src/core/abi/package.js';
import * as calls from '../src/core/calls/index.js';
import { K3SDAAS_FUNCTIONS } from '../src/localnet/package/index.js';
import { intentMessageBytes } from '../src/localnet/package/enclave.js';
import { signCredential } from '../src/localnet/package/testing.js';

let net: Localnet;
let client: SuiGrpcClient;
let signer: Ed25519Keypair;
let pkg: string;

async function createCounter(limit: number): Promise<{ id: string; isv: string }> {
  const tx = new Transaction();
  tx.moveCall({ target: `${pkg}::demo::create`, arguments: [tx.pure.u64(limit)] });
  const res = await client.signAndExecuteTransaction({ transaction: tx, signer, include: { effects: true, events: true } });
  expect(res.$kind).toBe('Transaction');
  const created = res.Transaction!.effects!.changedObjects.find((c) => c.idOperation === 'Created' && c.outputOwner?.$kind === 'Shared')!;
  expect(res.Transaction!.events![0]!.eventType).toBe(`${pkg}::demo::CounterCreated`);
  return { id: created.objectId, isv: (created.outputOwner as any).Shared.initialSharedVersion };
}

async function counterValue(id: string): Promise<bigint> {
  const { objects } = await client.core.getObjects({ objectIds: [id], include: { content: true } });
  const o = objects[0]!;
  if (o instanceof Error) throw o;
  return BigInt(Counter.parse(o.content!).value);
}

beforeAll(async () => {
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 20, logger: silentLogger, packageFunctions: DEMO_FUNCTIONS, packageAbi: DEMO_ABI });
  client = new SuiGrpcClient({ baseUrl: net.rpcUrl, network: 'localnet' });
  signer = net.accounts[1]!.keypair;
  pkg = net.packageId;
});
afterAll(async () => net?.stop());

describe('package functions through the twin interface', () => {
  it('creates a shared object, resolves &mut / & shared inputs, emits events', async () => {
    const { id } = await createCounter(10);
    const tx = new Transaction();
    tx.moveCall({ target: `${pkg}::demo::bump`, arguments: [tx.object(id), tx.pure.u64(3), tx.object.clock()] });
    tx.moveCall({ target: `${pkg}::demo::peek`, arguments: [tx.object(id)] });
    const res = await client.signAndExecuteTransaction({ transaction: tx, signer, include: { effects: true, events: true, transaction: true } });
    expect(res.$kind).toBe('Transaction');
    const inputs = res.Transaction!.transaction!.inputs;
    const shared = inputs.filter((i: any) => i.Object?.SharedObject).map((i: any) => i.Object.SharedObject);
    expect(shared.find((s: any) => s.objectId === id)?.mutable).toBe(true);
    expect(shared.find((s: any) => s.objectId === '0x0000000000000000000000000000000000000000000000000000000000000006')?.mutable).toBe(false);
    expect(await counterValue(id)).toBe(3n);

    const peekOnly = new Transaction();
    peekOnly.moveCall({ target: `${pkg}::demo::peek`, arguments: [peekOnly.object(id)] });
    peekOnly.setSender(signer.toSuiAddress());
    const bytes = await peekOnly.build({ client });
    const data = bcs.TransactionData.parse(bytes).V1!;
    expect(data.kind.ProgrammableTransaction!.inputs[0]!.Object!.SharedObject!.mutable).toBe(false);

    const events = await client.core.listEvents({ filter: { emitModule: `${pkg}::demo` } });
    expect(events.events.map((e) => e.eventType)).toContain(`${pkg}::demo::Bumped`);
  });

  it('reports an abort like Sui (MoveAbort with location and code), charges gas, applies nothing else', async () => {
    const { id, isv } = await createCounter(5);
    const owner = signer.toSuiAddress();
    const before = BigInt((await client.core.getBalance({ owner })).balance.balance);
    const eventsBefore = (await client.core.listEvents({ filter: { sender: owner }, limit: 1000 })).events.length;
    const bytes = await buildOffline(client, signer, (tx) => {
      tx.moveCall({
        target: `${pkg}::demo::bump`,
        arguments: [tx.sharedObjectRef({ objectId: id, initialSharedVersion: isv, mutable: true }), tx.pure.u64(6), tx.object.clock()],
      });
    });
    const res = await signAndSubmit(client, signer, bytes);
    expect(res.$kind).toBe('FailedTransaction');
    const failed = res.FailedTransaction!;
    expect(failed.status.error?.$kind).toBe('MoveAbort');
    const abort = (failed.status.error as any).MoveAbort;
    expect(abort.abortCode).toBe(String(DEMO_ELIMIT));
    expect(abort.location.module).toBe('demo');
    expect(abort.location.functionName).toBe('bump');
    expect(failed.events).toEqual([]);
    expect(await counterValue(id)).toBe(0n);
    const gas = failed.effects!.gasUsed;
    const cost = BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
    expect(cost).toBeGreaterThan(0n);
    expect(BigInt((await client.core.getBalance({ owner })).balance.balance)).toBe(before - cost);
    await client.waitForTransaction({ digest: failed.digest });
    expect((await client.core.listEvents({ filter: { sender: owner }, limit: 1000 })).events.length).toBe(eventsBefore);

    // Simulation (tx.build) reports the same abort before anything is signed.
    const tx = new Transaction();
    tx.moveCall({ target: `${pkg}::demo::bump`, arguments: [tx.object(id), tx.pure.u64(6), tx.object.clock()] });
    await expect(client.signAndExecuteTransaction({ transaction: tx, signer })).rejects.toThrow(/abort/i);
  });

  it('deletes a shared object passed by value', async () => {
    const { id } = await createCounter(1);
    const tx = new Transaction();
    tx.moveCall({ target: `${pkg}::demo::destroy`, arguments: [tx.object(id)] });
    const res = await client.signAndExecuteTransaction({ transaction: tx, signer, include: { effects: true } });
    expect(res.$kind).toBe('Transaction');
    expect(res.Transaction!.effects!.changedObjects.find((c) => c.objectId === id)?.idOperation).toBe('Deleted');
    const { objects } = await client.core.getObjects({ objectIds: [id] });
    expect(objects[0]).toBeInstanceOf(Error);
  });

  it('refuses publish and nitro attestation with clear errors', async () => {
    const tx = new Transaction();
    tx.moveCall({ target: '0x2::nitro_attestation::load_nitro_attestation', arguments: [tx.pure.vector('u8', [1, 2]), tx.object.clock()] });
    await expect(client.signAndExecuteTransaction({ transaction: tx, signer })).rejects.toThrow(/load_nitro_attestation is not available on localnet/);
    const pub = new Transaction();
    pub.publish({ modules: [[1, 2, 3]], dependencies: ['0x1', '0x2'] });
    await expect(client.signAndExecuteTransaction({ transaction: pub, signer })).rejects.toThrow(/Publish is not supported on localnet/);
  });
});

// === The K3s-DaaS package (src/localnet/package, the TypeScript twin of move/sources) through the SDK ===
// Every public function succeeds with its event, and aborts come back as MoveAbort with the module, function and
// code of the Move package. Own localnet instance, default package functions (K3SDAAS_FUNCTIONS).

describe('K3s-DaaS package on localnet (SDK)', () => {
  let k3sNet: Localnet;
  let k3sClient: SuiGrpcClient;
  let k3sPkg: string;
  let operator: Ed25519Keypair;
  let user: Ed25519Keypair;
  let gateway: Ed25519Keypair;
  let worker: Ed25519Keypair;

  const ENCLAVE_SECRET = new Uint8Array(32).fill(0x01);
  const ENCLAVE_PK = ed25519.getPublicKey(ENCLAVE_SECRET);
  const DIGEST = new Uint8Array(32).fill(0xaa);
  const REPLY_KEY = new Uint8Array(32).fill(0x55);
  const WORKER_KEY = new Uint8Array(32).fill(0xcc);

  interface Outcome {
    ok: boolean;
    digest: string;
    created: Array<{ id: string; type: string; owner: unknown }>;
    deleted: string[];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    events: Array<{ module: string; name: string; type: string; data: Record<string, any> }>;
    abort?: { module?: string; fn?: string; code: number; name?: string };
    error?: string;
  }

  function abortOf(error: SuiClientTypes.ExecutionError): Outcome['abort'] {
    if (error.$kind !== 'MoveAbort') return undefined;
    const a = error.MoveAbort;
    const code = Number(a.abortCode);
    return { module: a.location?.module, fn: a.location?.functionName, code, name: a.location?.module ? errorName(a.location.module, code) : undefined };
  }

  /**
   * Signs and executes. The SDK resolves (simulates) a transaction before signing it, so an abort usually comes back
   * from localnet's simulation as a SimulationError carrying the same ExecutionError the effects would.
   */
  async function exec(signer: Ed25519Keypair, build: (tx: Transaction) => void): Promise<Outcome> {
    const tx = new Transaction();
    build(tx);
    let result;
    try {
      result = await k3sClient.signAndExecuteTransaction({ transaction: tx, signer, include: { effects: true, events: true, objectTypes: true } });
    } catch (e) {
      if (e instanceof SimulationError && e.executionError) {
        return { ok: false, digest: '', created: [], deleted: [], events: [], error: e.executionError.message, abort: abortOf(e.executionError) };
      }
      throw e;
    }
    const t = result.$kind === 'Transaction' ? result.Transaction : result.FailedTransaction;
    await k3sClient.waitForTransaction({ digest: t.digest });
    const types = t.objectTypes ?? {};
    const changed = t.effects!.changedObjects;
    const out: Outcome = {
      ok: t.effects!.status.success,
      digest: t.digest,
      created: changed
        .filter((c) => c.idOperation === 'Created' && !String(types[c.objectId] ?? '').includes('dynamic_field'))
        .map((c) => ({ id: c.objectId, type: String(types[c.objectId] ?? ''), owner: c.outputOwner })),
      deleted: changed.filter((c) => c.idOperation === 'Deleted').map((c) => c.objectId),
      events: (t.events ?? []).map((e) => {
        const [, module, name] = /::(\w+)::(\w+)$/.exec(e.eventType)!;
        return { module, name, type: e.eventType, data: bcsForStruct(module, name).parse(e.bcs) };
      }),
    };
    const status = t.effects!.status;
    if (!status.success) {
      out.error = status.error.message;
      out.abort = abortOf(status.error);
    }
    return out;
  }

  const createdOf = (o: Outcome, suffix: string) => {
    const c = o.created.find((x) => x.type.endsWith(suffix));
    if (!c) throw new Error(`no ${suffix} created: ${JSON.stringify(o.created)} ${o.error ?? ''}`);
    return c.id;
  };

  function expectAbort(o: Outcome, module: string, fn: string, name: string) {
    expect(o.ok, `expected ${module}::${fn} ${name}`).toBe(false);
    expect(o.abort).toMatchObject({ module, fn, name });
    expect(o.abort!.code).toBe(K3SDAAS_ABI.errors.find((e) => e.module === module && e.name === name)!.code);
  }

  async function readObject(id: string) {
    const { object } = await k3sClient.core.getObject({ objectId: id, include: { content: true } });
    const [, module, name] = /::(\w+)::(\w+)$/.exec(object.type)!;
    return bcsForStruct(module, name).parse(object.content!);
  }

  /** A timestamp the localnet clock accepts as fresh (it follows wall time). */
  const freshTs = () => BigInt(Date.now() - 1_000);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    k3sNet = await startLocalnet({
      port: 0,
      faucetPort: 0,
      ephemeral: true,
      checkpointMs: 0,
      packageFunctions: K3SDAAS_FUNCTIONS,
      packageAbi: K3SDAAS_ABI.functions,
      logger: silentLogger,
    });
    k3sClient = new SuiGrpcClient({ baseUrl: k3sNet.rpcUrl, network: 'localnet' });
    k3sPkg = k3sNet.packageId;
    [operator, user, gateway, worker] = k3sNet.accounts.map((a) => a.keypair);
  });
  afterAll(async () => k3sNet?.stop());

  let clusterId: string;
  let capId: string;
  let tokenId: string;

  const createArgs = {
    name: 'dev',
    apiUrl: 'https://10.0.0.1:6443',
    caHash: new Uint8Array(32).fill(7),
    minUserStake: 100n,
    minWriteStake: 200n,
    minWorkerStake: 1_000n,
    stakeLockMs: 0n,
    requestTimeoutMs: 60_000n,
    heartbeatTimeoutMs: 1n,
    readFee: 0n,
    writeFee: 0n,
    workerPolicy: 1,
    unbondingMs: 0n,
    maxSlashBps: 10_000n,
    debug: true,
    expectedPcrs: [] as Uint8Array[],
  };

  it('cluster::create shares the Cluster, sends the cap and emits ClusterCreated', async () => {
    const o = await exec(operator, (tx) => tx.add(calls.cluster.create({ package: k3sPkg, arguments: createArgs })));
    expect(o.error).toBeUndefined();
    clusterId = createdOf(o, '::cluster::Cluster');
    capId = createdOf(o, '::cluster::ClusterAdminCap');
    expect(o.created.find((c) => c.id === clusterId)!.owner).toMatchObject({ $kind: 'Shared' });
    expect(o.created.find((c) => c.id === capId)!.owner).toMatchObject({ $kind: 'AddressOwner', AddressOwner: operator.toSuiAddress() });
    expect(o.events).toHaveLength(1);
    expect(o.events[0].type).toBe(`${k3sPkg}::cluster::ClusterCreated`);
    expect(o.events[0].data).toMatchObject({ cluster_id: clusterId, cap_id: capId, operator: operator.toSuiAddress(), name: 'dev', debug: true });
    const cluster = await readObject(clusterId);
    expect(cluster).toMatchObject({ id: clusterId, api_url: 'https://10.0.0.1:6443', gateways: [], stakes: { size: '0' } });
  });

  it('cluster::create aborts EInvalidPcrs (cluster::create, code 2)', async () => {
    const o = await exec(operator, (tx) => tx.add(calls.cluster.create({ package: k3sPkg, arguments: { ...createArgs, debug: false } })));
    expectAbort(o, 'cluster', 'create', 'EInvalidPcrs');
  });

  it('cluster::update and gateways', async () => {
    let o = await exec(operator, (tx) =>
      tx.add(
        calls.cluster.update({
          package: k3sPkg,
          arguments: { cap: capId, cluster: clusterId, apiUrl: 'https://10.0.0.2:6443', caHash: createArgs.caHash, minWriteStake: 200n, requestTimeoutMs: 60_000n },
        }),
      ),
    );
    expect(o.events.map((e) => e.name)).toEqual(['ClusterUpdated']);
    expect(o.events[0].data).toMatchObject({ cluster_id: clusterId, api_url: 'https://10.0.0.2:6443', request_timeout_ms: '60000' });
    const gw = { cap: capId, cluster: clusterId, gateway: gateway.toSuiAddress() };
    o = await exec(operator, (tx) => tx.add(calls.cluster.registerGateway({ package: k3sPkg, arguments: gw })));
    expect(o.events[0]).toMatchObject({ name: 'GatewayRegistered', data: { cluster_id: clusterId, gateway: gateway.toSuiAddress() } });
    o = await exec(operator, (tx) => tx.add(calls.cluster.registerGateway({ package: k3sPkg, arguments: gw })));
    expectAbort(o, 'cluster', 'register_gateway', 'EGatewayExists');
    const other = '0x' + '42'.padStart(64, '0');
    o = await exec(operator, (tx) => {
      tx.add(calls.cluster.registerGateway({ package: k3sPkg, arguments: { ...gw, gateway: other } }));
      tx.add(calls.cluster.removeGateway({ package: k3sPkg, arguments: { ...gw, gateway: other } }));
    });
    expect(o.events.map((e) => e.name)).toEqual(['GatewayRegistered', 'GatewayRemoved']);
    o = await exec(operator, (tx) => tx.add(calls.cluster.removeGateway({ package: k3sPkg, arguments: { ...gw, gateway: other } })));
    expectAbort(o, 'cluster', 'remove_gateway', 'EGatewayNotFound');
    expect((await readObject(clusterId)).gateways).toEqual([gateway.toSuiAddress()]);
  });

  it('enclave::register_debug sets the enclave key', async () => {
    let o = await exec(operator, (tx) => tx.add(calls.enclave.registerDebug({ package: k3sPkg, arguments: { cap: capId, cluster: clusterId, publicKey: new Uint8Array(3) } })));
    expectAbort(o, 'enclave', 'register_debug', 'EInvalidPublicKey');
    o = await exec(operator, (tx) => tx.add(calls.enclave.registerDebug({ package: k3sPkg, arguments: { cap: capId, cluster: clusterId, publicKey: ENCLAVE_PK } })));
    expect(o.events[0]).toMatchObject({ name: 'EnclaveRegistered', data: { cluster_id: clusterId, public_key: ENCLAVE_PK, debug: true, pcrs: [] } });
    expect((await readObject(clusterId)).enclave_pk).toEqual(ENCLAVE_PK);
  });

  it('enclave::register_attested is unreachable: localnet refuses Nitro attestation documents', async () => {
    const tx = new Transaction();
    const doc = tx.moveCall({ target: '0x2::nitro_attestation::load_nitro_attestation', arguments: [tx.pure.vector('u8', [1, 2, 3]), tx.object.clock()] });
    tx.add(calls.enclave.registerAttested({ package: k3sPkg, arguments: { cap: capId, cluster: clusterId, document: doc } }));
    let failed: string | undefined;
    try {
      const r = await k3sClient.signAndExecuteTransaction({ transaction: tx, signer: operator, include: { effects: true } });
      if (r.$kind === 'FailedTransaction') failed = r.FailedTransaction.effects!.status.error?.message;
    } catch (e) {
      failed = (e as Error).message;
    }
    expect(failed).toMatch(/nitro_attestation|not available/i);
  });

  it('access::stake gives the user a tenant SealToken claiming a namespace (and aborts EInsufficientStake / EInvalidNamespace)', async () => {
    const stake = (amount: bigint, namespace: string) =>
      exec(user, (tx) => {
        const [coin] = tx.splitCoins(tx.gas, [amount]);
        tx.add(calls.access.stake({ package: k3sPkg, arguments: { cluster: clusterId, payment: coin, namespace } }));
      });
    expectAbort(await stake(99n, 'team-a'), 'access', 'stake', 'EInsufficientStake');
    expectAbort(await stake(1_000n, 'Team-A'), 'access', 'assert_claimable', 'EInvalidNamespace');
    const o = await stake(1_000n, 'team-a');
    expect(o.error).toBeUndefined();
    tokenId = createdOf(o, '::access::SealToken');
    expect(o.created.find((c) => c.id === tokenId)!.owner).toMatchObject({ AddressOwner: user.toSuiAddress() });
    expect(o.events[0]).toMatchObject({ name: 'Staked', data: { cluster_id: clusterId, token_id: tokenId, owner: user.toSuiAddress(), namespace: 'team-a', role: 3, amount: '1000' } });
    expect(o.events[1]).toMatchObject({ name: 'NamespaceClaimed', data: { cluster_id: clusterId, token_id: tokenId, namespace: 'team-a' } });
    expect(await readObject(tokenId)).toEqual({ id: tokenId, cluster_id: clusterId, namespace: 'team-a' });
    // Roles are granted by the cap holder, never bought: the tests below use this token as an admin.
    const g = await exec(operator, (tx) => tx.add(calls.access.grant({ package: k3sPkg, arguments: { cap: capId, cluster: clusterId, tokenId, role: 2 } })));
    expect(g.error).toBeUndefined();
    expect(g.events[0]).toMatchObject({ name: 'RoleGranted', data: { cluster_id: clusterId, token_id: tokenId, role: 2 } });
    expect((await readObject(clusterId)).stakes.size).toBe('1');
  });

  it('request::submit and request::respond', async () => {
    const submitArgs = { cluster: clusterId, token: tokenId, method: 'GET', path: 'pods', bodyDigest: DIGEST, body: new Uint8Array(), replyKey: REPLY_KEY };
    let o = await exec(user, (tx) => tx.add(calls.request.submit({ package: k3sPkg, arguments: submitArgs })));
    expectAbort(o, 'request', 'validate', 'EInvalidPath');
    const body = new Uint8Array(40_000).map((_, i) => i & 0xff);
    o = await exec(user, (tx) =>
      tx.add(calls.request.submit({ package: k3sPkg, arguments: { ...submitArgs, method: 'POST', path: '/api/v1/namespaces/default/pods', body } })),
    );
    expect(o.error).toBeUndefined();
    const requestId = createdOf(o, '::request::Request');
    expect(o.created.find((c) => c.id === requestId)!.owner).toMatchObject({ $kind: 'Shared' });
    expect(o.events[0].name).toBe('RequestSubmitted');
    expect(o.events[0].data).toMatchObject({
      request_id: requestId,
      cluster_id: clusterId,
      requester: user.toSuiAddress(),
      gateway: null,
      token_id: tokenId,
      role: 2,
      namespace: 'default',
      resource: 'pods',
      body_size: '40000',
      body,
    });
    expect(await readObject(requestId)).toMatchObject({ requester: user.toSuiAddress(), method: 'POST', reply_key: REPLY_KEY });

    const ts = freshTs();
    const responseDigest = new Uint8Array(32).fill(0xbb);
    const payload = { request_id: requestId, requester: user.toSuiAddress(), request_body_digest: DIGEST, status: 201, response_body_digest: responseDigest };
    const signature = ed25519.sign(intentMessageBytes(0, ts, { struct: 'k3sdaas::request::ResponsePayload' }, payload), ENCLAVE_SECRET);
    const respond = (status: number) =>
      calls.request.respond({
        package: k3sPkg,
        arguments: { cluster: clusterId, request: requestId, status, bodyDigest: responseDigest, body: new Uint8Array([1, 2, 3]), timestampMs: ts, signature },
      });
    o = await exec(operator, (tx) => tx.add(respond(500)));
    expectAbort(o, 'enclave', 'verify', 'EInvalidSignature');
    o = await exec(operator, (tx) => tx.add(respond(201)));
    expect(o.error).toBeUndefined();
    expect(o.deleted).toContain(requestId);
    expect(o.events[0]).toMatchObject({
      name: 'ResponseStored',
      data: { request_id: requestId, cluster_id: clusterId, requester: user.toSuiAddress(), status: 201, body: new Uint8Array([1, 2, 3]), timestamp_ms: String(ts) },
    });
    // answered at most once: the Request is gone
    o = await exec(operator, (tx) => tx.add(respond(201))).catch((e: Error) => ({ ok: false, error: e.message }) as Outcome);
    expect(o.ok).toBe(false);
  });

  it('request::submit_via_gateway acts for the credential signer', async () => {
    const cred = { cluster_id: clusterId, gateway: gateway.toSuiAddress(), token_id: tokenId, expires_ms: BigInt(Date.now() + 3_600_000) };
    const { credential, signature } = await signCredential(cred, user);
    const args = { cluster: clusterId, credential, signature, method: 'DELETE', path: '/api/v1/nodes/n1', bodyDigest: DIGEST, body: new Uint8Array(), replyKey: REPLY_KEY };
    let o = await exec(worker, (tx) => tx.add(calls.request.submitViaGateway({ package: k3sPkg, arguments: args })));
    expectAbort(o, 'request', 'submit_via_gateway', 'EGatewayNotRegistered');
    o = await exec(gateway, (tx) => tx.add(calls.request.submitViaGateway({ package: k3sPkg, arguments: args })));
    expect(o.error).toBeUndefined();
    expect(o.events[0].data).toMatchObject({ requester: user.toSuiAddress(), gateway: gateway.toSuiAddress(), token_id: tokenId, role: 2, namespace: '', resource: 'nodes' });
    const forged = await signCredential(cred, worker);
    o = await exec(gateway, (tx) => tx.add(calls.request.submitViaGateway({ package: k3sPkg, arguments: { ...args, ...forged } })));
    expectAbort(o, 'access', 'assert_token_owner', 'ENotTokenOwner');
  });

  it('request::expire after the deadline', async () => {
    let o = await exec(operator, (tx) =>
      tx.add(
        calls.cluster.update({
          package: k3sPkg,
          arguments: { cap: capId, cluster: clusterId, apiUrl: 'https://10.0.0.2:6443', caHash: createArgs.caHash, minWriteStake: 200n, requestTimeoutMs: 1n },
        }),
      ),
    );
    o = await exec(user, (tx) =>
      tx.add(
        calls.request.submit({
          package: k3sPkg,
          arguments: { cluster: clusterId, token: tokenId, method: 'GET', path: '/version', bodyDigest: DIGEST, body: new Uint8Array(), replyKey: REPLY_KEY },
        }),
      ),
    );
    const requestId = createdOf(o, '::request::Request');
    const deadline = BigInt(o.events[0].data.deadline_ms);
    while (BigInt(Date.now()) <= deadline + 5n) await sleep(5);
    await sleep(20);
    o = await exec(worker, (tx) => tx.add(calls.request.expire({ package: k3sPkg, arguments: { request: requestId } })));
    expect(o.error).toBeUndefined();
    expect(o.deleted).toContain(requestId);
    expect(o.events[0]).toMatchObject({ name: 'RequestExpired', data: { request_id: requestId, cluster_id: clusterId, requester: user.toSuiAddress(), deadline_ms: String(deadline) } });
  });

  it('workers: register, set_join_token, heartbeat, mark_inactive, slash, leave', async () => {
    const register = (name: string) =>
      exec(worker, (tx) => {
        const [coin] = tx.splitCoins(tx.gas, [1_500n]);
        tx.add(calls.workers.register({ package: k3sPkg, arguments: { cluster: clusterId, payment: coin, nodeName: name, encryptionKey: WORKER_KEY } }));
      });
    let o = await register('');
    expectAbort(o, 'workers', 'register', 'EInvalidNodeName');
    o = await register('worker-1');
    expect(o.error).toBeUndefined();
    const workerId = createdOf(o, '::workers::Worker');
    expect(o.events[0]).toMatchObject({ name: 'WorkerRegistered', data: { worker_id: workerId, cluster_id: clusterId, owner: worker.toSuiAddress(), node_name: 'worker-1', stake: '1500' } });

    const ciphertext = new TextEncoder().encode('k3s join token ciphertext');
    const ts = freshTs();
    const joinPayload = { worker_id: workerId, owner: worker.toSuiAddress(), encryption_key: WORKER_KEY, ciphertext_digest: sha256(ciphertext) };
    const signature = ed25519.sign(intentMessageBytes(1, ts, { struct: 'k3sdaas::workers::JoinTokenPayload' }, joinPayload), ENCLAVE_SECRET);
    o = await exec(operator, (tx) => tx.add(calls.workers.setJoinToken({ package: k3sPkg, arguments: { cluster: clusterId, worker: workerId, ciphertext, timestampMs: ts, signature } })));
    expect(o.events[0]).toMatchObject({ name: 'JoinTokenSet', data: { worker_id: workerId, ciphertext } });
    expect((await readObject(workerId)).join_token).toEqual(ciphertext);

    o = await exec(operator, (tx) => tx.add(calls.workers.heartbeat({ package: k3sPkg, arguments: { worker: workerId } })));
    expectAbort(o, 'workers', 'heartbeat', 'ENotOwner');
    o = await exec(worker, (tx) => tx.add(calls.workers.heartbeat({ package: k3sPkg, arguments: { worker: workerId } })));
    expect(o.events[0]).toMatchObject({ name: 'WorkerHeartbeat', data: { worker_id: workerId, cluster_id: clusterId } });

    await sleep(20);
    o = await exec(operator, (tx) => tx.add(calls.workers.markInactive({ package: k3sPkg, arguments: { cluster: clusterId, worker: workerId } })));
    expect(o.events[0]).toMatchObject({ name: 'WorkerInactive', data: { worker_id: workerId } });
    o = await exec(worker, (tx) => tx.add(calls.workers.heartbeat({ package: k3sPkg, arguments: { worker: workerId } })));
    expectAbort(o, 'workers', 'heartbeat', 'EInactive');

    o = await exec(operator, (tx) => tx.add(calls.workers.slash({ package: k3sPkg, arguments: { cap: capId, cluster: clusterId, worker: workerId, amount: 500n, reason: 4 } })));
    expect(o.events[0]).toMatchObject({ name: 'WorkerSlashed', data: { worker_id: workerId, amount: '500', reason: 4, remaining: '1000' } });
    expect(o.created).toEqual([]); // to the cluster's treasury, not to an address

    // leave + withdraw in one transaction (this cluster has no unbonding period)
    o = await exec(worker, (tx) => {
      tx.add(calls.workers.leave({ package: k3sPkg, arguments: { cluster: clusterId, worker: workerId } }));
      tx.add(calls.workers.withdraw({ package: k3sPkg, arguments: { worker: workerId } }));
    });
    expect(o.error).toBeUndefined();
    expect(o.deleted).toContain(workerId);
    expect(o.events[0]).toMatchObject({ name: 'WorkerLeaving', data: { worker_id: workerId, owner: worker.toSuiAddress() } });
    expect(o.events[1]).toMatchObject({ name: 'WorkerLeft', data: { worker_id: workerId, owner: worker.toSuiAddress(), amount: '1000' } });
  });

  it('access::slash and access::unstake', async () => {
    let o = await exec(operator, (tx) =>
      tx.add(calls.access.slash({ package: k3sPkg, arguments: { cap: capId, cluster: clusterId, tokenId: '0x' + '12'.repeat(32), amount: 1n, reason: 2 } })),
    );
    expectAbort(o, 'access', 'slash', 'EUnknownToken');
    o = await exec(operator, (tx) => tx.add(calls.access.slash({ package: k3sPkg, arguments: { cap: capId, cluster: clusterId, tokenId, amount: 300n, reason: 2 } })));
    expect(o.events[0]).toMatchObject({ name: 'Slashed', data: { cluster_id: clusterId, token_id: tokenId, amount: '300' } });
    o = await exec(user, (tx) => tx.add(calls.access.unstake({ package: k3sPkg, arguments: { cluster: clusterId, token: tokenId } })));
    expect(o.error).toBeUndefined();
    expect(o.deleted).toContain(tokenId);
    expect(o.events[0]).toMatchObject({ name: 'NamespaceReleased', data: { cluster_id: clusterId, token_id: tokenId, namespace: 'team-a' } });
    expect(o.events[1]).toMatchObject({ name: 'Unstaked', data: { cluster_id: clusterId, token_id: tokenId, owner: user.toSuiAddress(), amount: '700', prepaid: '0' } });
    const coin = createdOf(o, '::sui::SUI>');
    expect(o.created.find((c) => c.id === coin)!.owner).toMatchObject({ AddressOwner: user.toSuiAddress() });
    expect((await readObject(clusterId)).stakes.size).toBe('0');
  });

  it('core.listEvents finds the package events by type', async () => {
    const { events } = await k3sClient.core.listEvents({ filter: { eventType: `${k3sPkg}::request::RequestSubmitted` } });
    expect(events.length).toBe(3);
    for (const e of events) expect(bcsForStruct('request', 'RequestSubmitted').parse(e.bcs).cluster_id).toBe(clusterId);
    const created = await k3sClient.core.listEvents({ filter: { emitModule: `${k3sPkg}::cluster` } });
    expect(created.events.map((e) => e.eventType.split('::').pop())).toContain('ClusterCreated');
  });
});
