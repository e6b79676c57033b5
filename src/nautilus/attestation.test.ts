import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Transaction } from '@mysten/sui/transactions';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { createChainClient, memoryCursorStore, TransactionExecutor, type ChainClient } from '../core/chain/index.js';
import { readCluster } from '../core/chain/objects.js';
import { createCluster } from '../core/cluster-admin.js';
import { KubeForwarder } from '../core/kube/index.js';
import { DEV_ACCOUNTS, startLocalnet, type Localnet } from '../localnet/index.js';
import { commandAttestationProvider, LOAD_NITRO_ATTESTATION, parseAttestationDocument, registerAttestedCall, registerAttestedEnclave, type AttestationProvider } from './attestation.js';
import { generateEnclaveKey } from './enclave-key.js';
import { Journal } from './journal.js';
import { NautilusService } from './service.js';
import { KubeConfig } from '@kubernetes/client-node';
import { silentLogger } from '../core/log.js';

/** A COSE_Sign1-shaped placeholder (the chain, not this code, verifies real documents). */
const FAKE_DOC = new Uint8Array([0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xa0, 0x41, 0x00, 0x40]);

describe('attestation documents', () => {
  it('parses hex, base64 and base64url output; refuses anything else', () => {
    const hex = Buffer.from(FAKE_DOC).toString('hex');
    expect(parseAttestationDocument(`${hex}\n`)).toEqual(FAKE_DOC);
    expect(parseAttestationDocument(`0x${hex}`)).toEqual(FAKE_DOC);
    expect(parseAttestationDocument(Buffer.from(FAKE_DOC).toString('base64'))).toEqual(FAKE_DOC);
    const big = new Uint8Array(300).fill(0xfb);
    big[0] = 0x84;
    expect(parseAttestationDocument(Buffer.from(big).toString('base64url'))).toEqual(big);
    expect(() => parseAttestationDocument('')).toThrow(/printed nothing/);
    expect(() => parseAttestationDocument('not a document!')).toThrow(/hex or base64/);
    expect(() => parseAttestationDocument('00112233')).toThrow(/COSE_Sign1/);
    const huge = new Uint8Array(17_000);
    huge[0] = 0x84;
    expect(() => parseAttestationDocument(Buffer.from(huge).toString('hex'))).toThrow(/exceeds a transaction argument/);
  });

  it('the command provider passes the key and CA hash (placeholders and env) and reads the document from stdout', async () => {
    const pk = new Uint8Array(32).fill(0xab);
    const ud = new Uint8Array(32).fill(0xcd);
    const seen = commandAttestationProvider(
      `test "{public_key}" = "$K3SDAAS_ATTEST_PUBLIC_KEY" && test "{user_data}" = "$K3SDAAS_ATTEST_USER_DATA" && test "{public_key}" = "${'ab'.repeat(32)}" && echo ${Buffer.from(FAKE_DOC).toString('hex')}`,
    );
    expect(await seen.attest({ publicKey: pk, userData: ud })).toEqual(FAKE_DOC);
    const failing = commandAttestationProvider('echo "NSM device /dev/nsm not found" >&2; exit 3');
    await expect(failing.attest({ publicKey: pk, userData: ud })).rejects.toThrow(/attestation command failed \(exit 3\): NSM device \/dev\/nsm not found/);
  });

  it('registers in ONE programmable transaction: load_nitro_attestation, then register_attested(cap, cluster, its result, clock)', () => {
    const pkg = '0x' + 'ab'.repeat(32);
    const cap = '0x' + 'c1'.repeat(32);
    const cluster = '0x' + 'c2'.repeat(32);
    const tx = new Transaction();
    registerAttestedCall({ packageId: pkg, capId: cap, clusterId: cluster, document: FAKE_DOC })(tx);
    const data = tx.getData();
    expect(data.commands.map((c) => c.$kind)).toEqual(['MoveCall', 'MoveCall']);
    const [load, register] = data.commands.map((c) => c.MoveCall!);
    expect(`${normalizeSuiAddress(load!.package)}::${load!.module}::${load!.function}`).toBe(
      `${normalizeSuiAddress('0x2')}::${LOAD_NITRO_ATTESTATION.split('::').slice(1).join('::')}`,
    );
    expect(`${register!.package}::${register!.module}::${register!.function}`).toBe(`${pkg}::enclave::register_attested`);
    // load(document: vector<u8>, clock)
    const docInput = data.inputs[(load!.arguments[0] as { Input: number }).Input]!;
    expect(docInput.Pure).toBeDefined();
    expect(new Uint8Array(docInput.Pure!.bytes ? Buffer.from(docInput.Pure!.bytes, 'base64') : [])).toEqual(new Uint8Array([FAKE_DOC.length, ...FAKE_DOC]));
    const clockOf = (arg: unknown) => {
      const input = data.inputs[(arg as { Input: number }).Input]!;
      return input.Object?.SharedObject?.objectId ?? input.UnresolvedObject?.objectId;
    };
    expect(clockOf(load!.arguments[1])).toBe(normalizeSuiAddress('0x6'));
    // register_attested(cap, cluster, &document = result of command 0, clock)
    expect(register!.arguments).toHaveLength(4);
    expect(data.inputs[(register!.arguments[0] as { Input: number }).Input]!.UnresolvedObject?.objectId).toBe(cap);
    expect(data.inputs[(register!.arguments[1] as { Input: number }).Input]!.UnresolvedObject?.objectId).toBe(cluster);
    expect(register!.arguments[2]).toMatchObject({ $kind: 'NestedResult', NestedResult: [0, 0] });
    expect(clockOf(register!.arguments[3])).toBe(normalizeSuiAddress('0x6'));
  });
});

describe('NautilusService.registerEnclave on localnet', () => {
  let localnet: Localnet;
  let client: ChainClient;
  let operatorTx: TransactionExecutor;
  const forwarder = () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'x', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'x' }],
      contexts: [{ name: 'x', cluster: 'x', user: 'x' }],
      currentContext: 'x',
    });
    return new KubeForwarder({ kubeconfig: kc });
  };
  const service = (clusterId: string, attestation?: AttestationProvider) =>
    new NautilusService({
      client,
      executor: operatorTx,
      packageId: localnet.packageId,
      clusterId,
      enclaveKey: generateEnclaveKey(),
      forwarder: forwarder(),
      journal: new Journal(),
      cursors: memoryCursorStore(),
      logger: silentLogger,
      attestation,
    });
  const fixed: AttestationProvider = { name: 'fixed', attest: async () => FAKE_DOC };

  beforeAll(async () => {
    localnet = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger });
    client = createChainClient({ rpcUrl: localnet.rpcUrl });
    operatorTx = new TransactionExecutor(client, DEV_ACCOUNTS[0].keypair);
  }, 30_000);
  afterAll(async () => localnet?.stop());

  const pcrs = [new Uint8Array(48).fill(1), new Uint8Array(48).fill(2), new Uint8Array(48).fill(3)];

  it('a non-debug cluster without an attestation provider: a clear error, nothing registered', async () => {
    const { clusterId } = await createCluster(operatorTx, localnet.packageId, { name: 'prod', apiUrl: 'https://10.0.0.1:6443', debug: false, expectedPcrs: pcrs });
    await expect(service(clusterId).registerEnclave()).rejects.toMatchObject({
      code: 'ENCLAVE_ATTESTATION_REQUIRED',
      message: expect.stringMatching(/not a debug cluster.*AWS Nitro attestation document.*--attestation-command/),
    });
    expect((await readCluster(client, clusterId)).enclavePk).toHaveLength(0);
  });

  it('a non-debug cluster with a provider: localnet refuses Nitro documents, with a clear error', async () => {
    const { clusterId } = await createCluster(operatorTx, localnet.packageId, { name: 'prod2', apiUrl: 'https://10.0.0.1:6443', debug: false, expectedPcrs: pcrs });
    const err = await service(clusterId, fixed).registerEnclave().then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe('ATTESTATION_REJECTED');
    expect(err?.message).toMatch(/chain refused the attestation document/);
    expect(err?.message).toMatch(/nitro_attestation::load_nitro_attestation is not available on localnet/);
    expect(err?.message).toMatch(/use a debug cluster there/);
    expect((await readCluster(client, clusterId)).enclavePk).toHaveLength(0);
  });

  it('a non-debug cluster whose cap the signer does not hold: NO_ADMIN_CAP before any document is requested', async () => {
    const { clusterId } = await createCluster(operatorTx, localnet.packageId, { name: 'prod3', apiUrl: 'https://10.0.0.1:6443', debug: false, expectedPcrs: pcrs });
    const stranger = new TransactionExecutor(client, DEV_ACCOUNTS[1].keypair);
    const calls: number[] = [];
    const counting: AttestationProvider = { name: 'counting', attest: async () => (calls.push(1), FAKE_DOC) };
    await expect(
      registerAttestedEnclave({ executor: stranger, packageId: localnet.packageId, clusterId, publicKey: new Uint8Array(32), caHash: new Uint8Array(32), provider: counting }),
    ).rejects.toMatchObject({ code: 'NO_ADMIN_CAP' });
    expect(calls).toHaveLength(0);
    expect((await readCluster(client, clusterId)).enclavePk).toHaveLength(0);
  });

  it('a debug cluster: debug registration even with a provider (debug clusters expect no PCRs)', async () => {
    const { clusterId } = await createCluster(operatorTx, localnet.packageId, { name: 'dev', apiUrl: 'https://10.0.0.1:6443', debug: true });
    const calls: number[] = [];
    const counting: AttestationProvider = { name: 'counting', attest: async () => (calls.push(1), FAKE_DOC) };
    await service(clusterId, counting).registerEnclave();
    expect(calls).toHaveLength(0);
    expect((await readCluster(client, clusterId)).enclavePk).toHaveLength(32);
  });
});
