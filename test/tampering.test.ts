/**
 * Tampering: forged, stale and moved answers and ciphertexts are refused — on chain (contract aborts, nothing
 * applied), by the enclave (400, never forwarded to the apiserver), by the requester (openResponse), and by
 * `k3sdaas verify` (a named reason). A blob whose digest differs is covered with the blob store (test/e2e-large).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { INTENT_RESPONSE } from '../src/core/abi/package.js';
import * as calls from '../src/core/calls/index.js';
import { TransactionExecutor } from '../src/core/chain/index.js';
import { objectContent, readCluster } from '../src/core/chain/objects.js';
import { createCluster, MIST_PER_SUI, stakeForToken } from '../src/core/cluster-admin.js';
import { operatorExecutor } from './helpers/e2e.js';
import { CryptoError, digest, enclaveEncryptionKey, generateEncryptionKey, seal, type EncryptionKeyPair } from '../src/core/crypto/index.js';
import { compress, encodeRequestEnvelope, requestBinding } from '../src/core/envelope/index.js';
import type { RequestSubmitted, ResponseStored } from '../src/core/events/index.js';
import { MoveAbortError } from '../src/core/errors.js';
import { signIntent } from '../src/core/intent.js';
import { openResponse, sealResponse } from '../src/core/protocol/index.js';
import { collectEvidence, evidenceFromJson, evidenceToJson, verifyEvidence, type Evidence } from '../src/core/verify/index.js';
import { buildProgram } from '../src/cli/program.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { generateEnclaveKey, type EnclaveKey } from '../src/nautilus/enclave-key.js';
import type { kubectlRunner } from './helpers/kubectl.js';
import { gatewayKubectl } from './helpers/sandbox.js';
import { chainEvents, fundedAccount, sealWithReplyKey, submitDirect, waitResponse } from './helpers/security.js';

let sb: Sandbox;
let kubectl: ReturnType<typeof kubectlRunner>;
let userTx: TransactionExecutor;
let enclavePk: Uint8Array;

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const clone = (e: Evidence) => evidenceFromJson(evidenceToJson(e));
const requestIdOf = (stderr: string) => /k3sdaas request (0x[0-9a-f]{64})/.exec(stderr)?.[1];

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0, requestTimeoutMs: 60_000n });
  kubectl = await gatewayKubectl(sb);
  userTx = new TransactionExecutor(sb.client, sb.user.keypair);
  enclavePk = (await readCluster(sb.client, sb.clusterId)).enclavePk;
}, 60_000);
afterAll(async () => sb?.stop());

/** A request of the sandbox's user, sealed with a reply key we keep, answered by nautilus. */
async function ownRequest(http: { method: string; url: string; body?: string }, reply: EncryptionKeyPair = generateEncryptionKey()) {
  const sealed = sealWithReplyKey({
    clusterId: sb.clusterId,
    requester: sb.user.address,
    enclavePublicKey: enclavePk,
    reply,
    http: { method: http.method, url: http.url, headers: [['accept', 'application/json']], body: new TextEncoder().encode(http.body ?? '') },
  });
  const submitted = await submitDirect(userTx, { packageId: sb.packageId, clusterId: sb.clusterId, tokenId: sb.user.tokenId, ...sealed, replyKey: reply.publicKey });
  const response = await waitResponse(sb.localnet, submitted.requestId);
  return { submitted, response, reply };
}

describe('on chain: forged and stale answers abort, nothing applied', () => {
  // A second debug cluster nobody serves: we play its enclave (key K) and an impostor (key K2).
  let bare: { clusterId: string; capId: string };
  let operator: Awaited<ReturnType<typeof fundedAccount>>;
  let user: Awaited<ReturnType<typeof fundedAccount>>;
  let tokenId: string;
  let K: EnclaveKey;
  const K2 = generateEnclaveKey();
  let request: RequestSubmitted;

  beforeAll(async () => {
    operator = await fundedAccount(sb.client, sb.localnet);
    user = await fundedAccount(sb.client, sb.localnet);
    const created = await createCluster(operator.executor, sb.packageId, { name: 'bare', apiUrl: 'https://127.0.0.1:6443', debug: true, requestTimeoutMs: 60_000n });
    bare = { clusterId: created.clusterId, capId: created.capId };
    K = generateEnclaveKey();
    await operator.executor.execute(calls.enclave.registerDebug({ package: sb.packageId, arguments: { cap: bare.capId, cluster: bare.clusterId, publicKey: K.publicKey } }));
    tokenId = (await stakeForToken(user.executor, sb.packageId, bare.clusterId, 2n * MIST_PER_SUI, 'editor', { executor: operator.executor, capId: bare.capId })).tokenId;
    const reply = generateEncryptionKey();
    const sealed = sealWithReplyKey({
      clusterId: bare.clusterId,
      requester: user.address,
      enclavePublicKey: K.publicKey,
      reply,
      http: { method: 'GET', url: '/api/v1/namespaces/default/pods', headers: [], body: new Uint8Array() },
    });
    request = await submitDirect(user.executor, { packageId: sb.packageId, clusterId: bare.clusterId, tokenId, ...sealed, replyKey: reply.publicKey });
  }, 30_000);

  const answer = sealResponse({
    requestId: '0x' + '0'.repeat(64),
    replyKey: generateEncryptionKey().publicKey,
    http: { status: 200, headers: [], body: new TextEncoder().encode('{"kind":"PodList","items":[]}') },
  });

  async function respond(signer: EnclaveKey, o: { timestampMs?: number; signedStatus?: number } = {}) {
    const timestampMs = o.timestampMs ?? Date.now();
    const signature = await signIntent(signer, INTENT_RESPONSE, timestampMs, {
      requestId: request.requestId,
      requester: request.requester,
      requestBodyDigest: request.bodyDigest,
      status: o.signedStatus ?? answer.status,
      responseBodyDigest: answer.bodyDigest,
    });
    return operator.executor.execute(
      calls.request.respond({
        package: sb.packageId,
        arguments: { cluster: bare.clusterId, request: request.requestId, status: answer.status, bodyDigest: answer.bodyDigest, body: answer.body, timestampMs, signature },
      }),
    );
  }

  async function expectRefused(attempt: Promise<unknown>, abortName: string) {
    const err = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MoveAbortError);
    expect((err as MoveAbortError).abortName).toBe(abortName);
    expect((err as MoveAbortError).message).toMatch(new RegExp(`enclave::\\w+ aborted with ${abortName}`));
    // Nothing applied: the Request is still there, and no answer was recorded.
    expect(await objectContent(sb.client, request.requestId)).not.toBeNull();
    expect(chainEvents(sb.localnet).filter((e) => e.$kind === 'ResponseStored' && e.requestId === request.requestId)).toEqual([]);
  }

  it('a response signed by another key aborts EInvalidSignature', async () => {
    await expectRefused(respond(K2), 'EInvalidSignature');
  });

  it('a response whose signed status differs from the stored one aborts EInvalidSignature', async () => {
    await expectRefused(respond(K, { signedStatus: 500 }), 'EInvalidSignature');
  });

  it('a stale timestamp (older than 60 s) or one too far ahead (> 10 s) aborts EStaleTimestamp', async () => {
    await expectRefused(respond(K, { timestampMs: Date.now() - 120_000 }), 'EStaleTimestamp');
    await expectRefused(respond(K, { timestampMs: Date.now() + 60_000 }), 'EStaleTimestamp');
  });

  it('the registered key answers once; a second answer finds no Request', async () => {
    await respond(K);
    expect(await objectContent(sb.client, request.requestId)).toBeNull();
    await expect(respond(K)).rejects.toThrow();
    expect(chainEvents(sb.localnet).filter((e) => e.$kind === 'ResponseStored' && e.requestId === request.requestId)).toHaveLength(1);
  });

  describe('k3sdaas verify on evidence we can re-sign (we hold this cluster\'s enclave key)', () => {
    let genuine: Evidence;
    beforeAll(async () => {
      // A later key rotation: K2 becomes the registered key after the answer.
      await operator.executor.execute(calls.enclave.registerDebug({ package: sb.packageId, arguments: { cap: bare.capId, cluster: bare.clusterId, publicKey: K2.publicKey } }));
      genuine = await collectEvidence({ client: sb.client, packageId: sb.packageId, requestId: request.requestId });
    });

    const resign = async (e: Evidence, key: EnclaveKey, timestampMs: bigint) => {
      const r = e.response!;
      r.timestampMs = timestampMs;
      r.signature = await signIntent(key, INTENT_RESPONSE, timestampMs, {
        requestId: e.submitted!.requestId,
        requester: e.submitted!.requester,
        requestBodyDigest: e.submitted!.bodyDigest,
        status: r.status,
        responseBodyDigest: r.bodyDigest,
      });
      return e;
    };

    it('the genuine answer passes; the evidence names both registrations and picks the one in force', async () => {
      expect(genuine.registrations.map((r) => hex(r.publicKey))).toEqual([hex(K.publicKey), hex(K2.publicKey)]);
      const v = await verifyEvidence(genuine);
      expect(v.reasons).toEqual([]);
      expect(v.status).toBe('genuine');
      expect(v.response?.signer).toBe(hex(K.publicKey));
      expect(v.summary).toMatch(/debug enclave, no attestation/);
    });

    it('a timestamp outside the deadline fails "timestamps" (the signature itself is valid)', async () => {
      const e = await resign(clone(genuine), K, genuine.submitted!.deadlineMs + 3_600_000n);
      const v = await verifyEvidence(e);
      expect(v.ok).toBe(false);
      expect(v.checks.find((c) => c.name === 'signature')?.result).toBe('pass');
      expect(v.reasons.join('\n')).toMatch(/timestamps: .*after the request's deadline/);
      const early = await verifyEvidence(await resign(clone(genuine), K, genuine.submitted!.submittedMs - 3_600_000n));
      expect(early.reasons.join('\n')).toMatch(/timestamps: .*before the request was submitted/);
    });

    it('an answer signed by a key registered only later fails, naming that key', async () => {
      const e = await resign(clone(genuine), K2, genuine.response!.timestampMs);
      const v = await verifyEvidence(e);
      expect(v.ok).toBe(false);
      expect(v.reasons.join('\n')).toContain(`signed by enclave key ${hex(K2.publicKey)}, which was not the key registered when the answer was recorded`);
    });
  });
});

describe('the enclave: a request ciphertext moved into another request is unreadable, refused, never forwarded', () => {
  it('another reply key, another path, another requester: each refused (400 unreadable / 503 not executed); the apiserver never sees it', async () => {
    const password = randomBytes(12).toString('hex');
    const created = await kubectl(['create', 'secret', 'generic', 'moved', `--from-literal=password=${password}`]);
    expect(created.code, created.stderr).toBe(0);
    const original = chainEvents(sb.localnet)
      .filter((e): e is RequestSubmitted => e.$kind === 'RequestSubmitted' && e.method === 'POST' && e.path === '/api/v1/namespaces/default/secrets')
      .at(-1)!;
    expect(original).toBeDefined();
    expect((await kubectl(['delete', 'secret', 'moved'])).code).toBe(0);

    const writes: string[] = [];
    const off = sb.kube!.store.onChange((type, def, obj) => {
      if (def.plural === 'secrets') writes.push(`${type} ${obj.metadata.name}`);
    });
    const attacker = await fundedAccount(sb.client, sb.localnet);
    const attackerToken = (await stakeForToken(attacker.executor, sb.packageId, sb.clusterId, 2n * MIST_PER_SUI, 'editor', { executor: operatorExecutor(sb), capId: sb.capId })).tokenId;
    const moved = { bodyDigest: original.bodyDigest, bodySize: Number(original.bodySize), body: original.body };
    const mine = generateEncryptionKey();
    try {
      const variants = [
        // the user themself, with a reply key of their own (the ciphertext is bound to the original one)
        await submitDirect(userTx, { packageId: sb.packageId, clusterId: sb.clusterId, tokenId: sb.user.tokenId, method: 'POST', path: original.path, ...moved, replyKey: mine.publicKey }),
        // the original reply key, another namespace's path
        await submitDirect(userTx, { packageId: sb.packageId, clusterId: sb.clusterId, tokenId: sb.user.tokenId, method: 'POST', path: '/api/v1/namespaces/kube-system/secrets', ...moved, replyKey: original.replyKey }),
        // another requester, everything else identical
        await submitDirect(attacker.executor, { packageId: sb.packageId, clusterId: sb.clusterId, tokenId: attackerToken, method: 'POST', path: original.path, ...moved, replyKey: original.replyKey }),
      ];
      const answers = await Promise.all(variants.map((v) => waitResponse(sb.localnet, v.requestId)));
      // A refusal, never an execution: 400 "could not read this request", or — since an AEAD failure cannot tell a
      // moved ciphertext from one sealed to the enclave's previous key — 503 "not executed" (safe to retry).
      for (const a of answers) expect([400, 503]).toContain(a.status);
      const opened = openResponse(answers[0]!, mine.secretKey);
      expect(text(opened.body)).toMatch(/could not read this request|was not executed/);
      expect(text(opened.body)).not.toContain(password);
    } finally {
      off();
    }
    expect(writes).toEqual([]);
    expect((await kubectl(['get', 'secret', 'moved'])).stderr).toMatch(/NotFound|not found/);
  });
});

describe('the enclave: an encrypted request that differs from what the chain authorized is refused 400', () => {
  const bindTo = (path: string, reply: EncryptionKeyPair) =>
    requestBinding({ clusterId: sb.clusterId, requester: sb.user.address, replyKey: reply.publicKey, method: 'GET', path });

  it('a body sealed for the authorized path but asking for another (e.g. configmaps authorized, secrets inside)', async () => {
    const reply = generateEncryptionKey();
    const authorized = '/api/v1/namespaces/default/configmaps';
    const plain = encodeRequestEnvelope({ method: 'GET', url: '/api/v1/namespaces/default/secrets', headers: [], body: new Uint8Array() });
    const body = seal(compress(plain), enclaveEncryptionKey(enclavePk), 'request-body', bindTo(authorized, reply));
    const ev = await submitDirect(userTx, { packageId: sb.packageId, clusterId: sb.clusterId, tokenId: sb.user.tokenId, method: 'GET', path: authorized, bodyDigest: digest(plain), bodySize: plain.length, body, replyKey: reply.publicKey });
    const answer = await waitResponse(sb.localnet, ev.requestId);
    expect(answer.status).toBe(400);
    expect(text(openResponse(answer, reply.secretKey).body)).toMatch(/could not read this request: encrypted request GET \/api\/v1\/namespaces\/default\/secrets differs from the authorized GET \/api\/v1\/namespaces\/default\/configmaps/);
  });

  it('a body whose plaintext digest differs from the one recorded on chain', async () => {
    const reply = generateEncryptionKey();
    const path = '/api/v1/namespaces/default/configmaps';
    const plain = encodeRequestEnvelope({ method: 'GET', url: path, headers: [], body: new Uint8Array() });
    const body = seal(compress(plain), enclaveEncryptionKey(enclavePk), 'request-body', bindTo(path, reply));
    const ev = await submitDirect(userTx, { packageId: sb.packageId, clusterId: sb.clusterId, tokenId: sb.user.tokenId, method: 'GET', path, bodyDigest: new Uint8Array(32).fill(1), bodySize: plain.length, body, replyKey: reply.publicKey });
    const answer = await waitResponse(sb.localnet, ev.requestId);
    expect(answer.status).toBe(400);
    expect(text(openResponse(answer, reply.secretKey).body)).toMatch(/could not read this request: request body does not match the digest recorded on chain/);
  });
});

describe('the requester: a response ciphertext moved to another request does not open', () => {
  it('refused even when both requests share one reply key (session key): the ciphertext is bound to its request id', async () => {
    const session = generateEncryptionKey();
    const a = await ownRequest({ method: 'GET', url: '/api/v1/namespaces/default/configmaps' }, session);
    const b = await ownRequest({ method: 'GET', url: '/api/v1/namespaces/kube-system/configmaps' }, session);
    expect(openResponse(a.response, session.secretKey).status).toBe(200);
    expect(openResponse(b.response, session.secretKey).status).toBe(200);
    const movedIntoB: ResponseStored = { ...b.response, body: a.response.body, bodyDigest: a.response.bodyDigest, status: a.response.status };
    expect(() => openResponse(movedIntoB, session.secretKey)).toThrow(CryptoError);
    expect(() => openResponse(movedIntoB, session.secretKey)).toThrow(/for another request, or altered/);
    // and to a request with another reply key
    const c = await ownRequest({ method: 'GET', url: '/version' });
    expect(() => openResponse({ ...c.response, body: a.response.body, bodyDigest: a.response.bodyDigest }, c.reply.secretKey)).toThrow(CryptoError);
  });
});

describe('k3sdaas verify', () => {
  let own: Awaited<ReturnType<typeof ownRequest>>;
  let evidence: Evidence;
  beforeAll(async () => {
    own = await ownRequest({ method: 'GET', url: '/api/v1/namespaces/default/configmaps?limit=5' });
    evidence = await collectEvidence({ client: sb.client, packageId: sb.packageId, requestId: own.submitted.requestId });
  });

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: any) => (out.push(String(c)), true));
    const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: any) => (err.push(String(c)), true));
    const config = join(mkdtempSync(join(tmpdir(), 'k3sdaas-verify-')), 'config.yaml');
    writeFileSync(config, '');
    const saved = { pkg: process.env.K3SDAAS_PACKAGE_ID, cfg: process.env.K3SDAAS_CONFIG };
    process.env.K3SDAAS_PACKAGE_ID = sb.packageId;
    process.env.K3SDAAS_CONFIG = config;
    const before = process.exitCode;
    let code = 0;
    try {
      const program = (await buildProgram()).exitOverride();
      await program.parseAsync(['node', 'k3sdaas', '--network', sb.localnet.rpcUrl, '--log-level', 'error', ...args]);
      code = Number(process.exitCode ?? 0);
    } catch (e) {
      err.push((e as Error).message);
      code = 1;
    } finally {
      process.exitCode = before;
      so.mockRestore();
      se.mockRestore();
      process.env.K3SDAAS_PACKAGE_ID = saved.pkg;
      process.env.K3SDAAS_CONFIG = saved.cfg;
      if (saved.pkg === undefined) delete process.env.K3SDAAS_PACKAGE_ID;
      if (saved.cfg === undefined) delete process.env.K3SDAAS_CONFIG;
    }
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('passes on a genuine kubectl request through the gateway (debug enclave, no attestation)', async () => {
    const r = await kubectl(['get', 'configmaps']);
    expect(r.code, r.stderr).toBe(0);
    const id = requestIdOf(r.stderr);
    expect(id).toBeDefined();
    const v = await cli(['verify', id!]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`request ${id}: genuine`));
    expect(v.stdout).toContain('debug enclave, no attestation');
    expect(v.stdout).toContain('GET /api/v1/namespaces/default/configmaps');
    const j = await cli(['verify', id!, '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ requestId: id, status: 'genuine', ok: true, attestation: 'debug' });
    const strict = await cli(['verify', id!, '--require-attestation']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/NOT genuine: debug enclave, no attestation/);
  });

  it('with the reply key, decrypts the response and checks it against the signed digest', async () => {
    const v = await cli(['verify', own.submitted.requestId, '--reply-key', hex(own.reply.secretKey), '--json']);
    expect(v.code, v.stdout).toBe(0);
    const verdict = JSON.parse(v.stdout);
    expect(verdict.checks.find((c: { name: string }) => c.name === 'response-body')).toMatchObject({ result: 'pass' });
    expect(verdict.response.decryptedStatus).toBe(200);
    const wrong = await cli(['verify', own.submitted.requestId, '--reply-key', hex(generateEncryptionKey().secretKey)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/response-body: the given reply key is not this request's reply key/);
  });

  it('saved evidence round-trips; tampered evidence fails with the reason named (--evidence)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-evidence-'));
    const file = join(dir, 'evidence.json');
    const saved = await cli(['verify', own.submitted.requestId, '--evidence-out', file]);
    expect(saved.code).toBe(0);
    const offline = await cli(['verify', own.submitted.requestId, '--evidence', file, '--reply-key', hex(own.reply.secretKey)]);
    expect(offline.code, offline.stdout).toBe(0);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.response.status = 201;
    writeFileSync(file, JSON.stringify(json));
    const tampered = await cli(['verify', own.submitted.requestId, '--evidence', file]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/NOT genuine: the enclave signature does not verify with the key registered at the time/);
    const otherId = await cli(['verify', '0x' + '1'.repeat(64), '--evidence', file]);
    expect(otherId.code).toBe(1);
    expect(otherId.stderr).toMatch(/is evidence for request/);
  });

  it('fails, naming the reason, for each tampering of the evidence', async () => {
    expect((await verifyEvidence(evidence, { replySecret: own.reply.secretKey })).reasons).toEqual([]);
    const impostor = generateEnclaveKey();
    const cases: Array<[string, (e: Evidence) => void | Promise<void>, RegExp]> = [
      [
        'signature by another key',
        async (e) => {
          e.response!.signature = await signIntent(impostor, INTENT_RESPONSE, e.response!.timestampMs, {
            requestId: e.requestId,
            requester: e.submitted!.requester,
            requestBodyDigest: e.submitted!.bodyDigest,
            status: e.response!.status,
            responseBodyDigest: e.response!.bodyDigest,
          });
        },
        /signature: the enclave signature does not verify with the key registered at the time/,
      ],
      ['status changed', (e) => void (e.response!.status = 500), /signature: the enclave signature does not verify/],
      ['response digest changed', (e) => void (e.response!.bodyDigest[0]! ^= 1), /signature: .*does not verify[\s\S]*response-body: the response body does not match/],
      ['request digest changed', (e) => void (e.submitted!.bodyDigest[5]! ^= 1), /signature: the enclave signature does not verify/],
      ['answer recorded after the deadline', (e) => void (e.response!.recordedMs = e.submitted!.deadlineMs + 1n), /timestamps: the answer was recorded at .* after the deadline/],
      ['stale signature (recorded much later than signed)', (e) => void (e.response!.recordedMs = e.response!.timestampMs + 120_000n), /timestamps: .*the signature timestamp .* older than its recording/],
      ['answer names another requester', (e) => void (e.response!.requester = normalizeSuiAddress('0xbad')), /linkage: the answer names requester/],
      ['answer names another cluster', (e) => void (e.response!.clusterId = normalizeSuiAddress('0xbad')), /linkage: the answer names cluster/],
      ['no key registered before the answer', (e) => void (e.registrations = []), /enclave-key: no enclave key was registered/],
      [
        'attested key whose PCRs differ from the cluster',
        (e) => {
          e.cluster!.expectedPcrs = [new Uint8Array(48).fill(1), new Uint8Array(48).fill(2), new Uint8Array(48).fill(3)];
          e.registrations.at(-1)!.debug = false;
          e.registrations.at(-1)!.pcrs = [new Uint8Array(48).fill(1), new Uint8Array(48).fill(2), new Uint8Array(48).fill(9)];
        },
        /attestation: the attested PCRs .* differ from the cluster's expected PCRs/,
      ],
    ];
    for (const [name, tamper, reason] of cases) {
      const e = clone(evidence);
      await tamper(e);
      const v = await verifyEvidence(e, { replySecret: own.reply.secretKey });
      expect(v.ok, name).toBe(false);
      expect(v.status, name).toBe('not-genuine');
      expect(v.reasons.join('\n'), name).toMatch(reason);
    }
    // and the attested case that matches passes, saying so
    const attested = clone(evidence);
    const pcrs = [new Uint8Array(48).fill(1), new Uint8Array(48).fill(2), new Uint8Array(48).fill(3)];
    attested.cluster!.expectedPcrs = pcrs;
    attested.cluster!.debug = false;
    attested.registrations.at(-1)!.debug = false;
    attested.registrations.at(-1)!.pcrs = pcrs;
    const v = await verifyEvidence(attested, { requireAttestation: true });
    expect(v).toMatchObject({ ok: true, attestation: 'attested' });
    expect(v.checks.find((c) => c.name === 'attestation')?.detail).toMatch(/PCR0\.\.2 match/);
  });

  it('not found, pending and expired requests are not genuine', async () => {
    const missing = await cli(['verify', '0x' + 'ee'.repeat(32)]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/no RequestSubmitted event/);
    const pending = clone(evidence);
    pending.response = null;
    pending.pending = true;
    expect(await verifyEvidence(pending)).toMatchObject({ status: 'pending', ok: false });
    const expired = clone(evidence);
    expired.response = null;
    expired.expired = { requestId: evidence.requestId, clusterId: evidence.submitted!.clusterId, requester: evidence.submitted!.requester, deadlineMs: evidence.submitted!.deadlineMs, refund: 0n, txDigest: 'x', checkpoint: null, recordedMs: null };
    expect(await verifyEvidence(expired)).toMatchObject({ status: 'expired', ok: false, summary: expect.stringMatching(/expired unanswered/) });
  });
});
