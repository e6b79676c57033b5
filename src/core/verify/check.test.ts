import { describe, expect, it } from 'vitest';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { INTENT_RESPONSE } from '../abi/package.js';
import { blobId } from '../blobs/index.js';
import { generateEncryptionKey } from '../crypto/index.js';
import { signIntent } from '../intent.js';
import { sealResponse } from '../protocol/index.js';
import { generateEnclaveKey } from '../../nautilus/enclave-key.js';
import { evidenceFromJson, evidenceToJson, formatVerdict, keyInForce, verifyEvidence, type Evidence } from './index.js';

const REQUEST = normalizeSuiAddress('0x11');
const CLUSTER = normalizeSuiAddress('0xc1');
const USER = normalizeSuiAddress('0xa1');
const T0 = 1_700_000_000_000n;

async function genuine() {
  const key = generateEnclaveKey();
  const reply = generateEncryptionKey();
  const sealed = sealResponse({ requestId: REQUEST, replyKey: reply.publicKey, http: { status: 200, headers: [['content-type', 'application/json']], body: new TextEncoder().encode('{"kind":"ConfigMapList"}') } });
  const requestDigest = new Uint8Array(32).fill(7);
  const timestampMs = T0 + 300n;
  const signature = await signIntent(key, INTENT_RESPONSE, timestampMs, {
    requestId: REQUEST,
    requester: USER,
    requestBodyDigest: requestDigest,
    status: 200,
    responseBodyDigest: sealed.bodyDigest,
  });
  const evidence: Evidence = {
    version: 1,
    packageId: normalizeSuiAddress('0xda45'),
    requestId: REQUEST,
    collectedAt: new Date().toISOString(),
    pending: false,
    submitted: {
      requestId: REQUEST, clusterId: CLUSTER, requester: USER, gateway: null, tokenId: normalizeSuiAddress('0x70'), role: 1,
      method: 'GET', path: '/api/v1/namespaces/default/configmaps', namespace: 'default', resource: 'configmaps',
      bodyDigest: requestDigest, bodySize: 40n, body: new Uint8Array(89), bodyBlob: '', replyKey: reply.publicKey,
      submittedMs: T0, deadlineMs: T0 + 30_000n, fee: 0n, txDigest: 'submit', checkpoint: 10n, recordedMs: T0,
    },
    response: {
      requestId: REQUEST, clusterId: CLUSTER, requester: USER, status: 200, bodyDigest: sealed.bodyDigest, bodySize: BigInt(sealed.bodySize),
      body: sealed.body, bodyBlob: '', timestampMs, signature, latencyMs: 300n, fee: 0n, txDigest: 'respond', checkpoint: 11n, recordedMs: T0 + 310n,
    },
    expired: null,
    cluster: { id: CLUSTER, name: 'c', debug: true, expectedPcrs: [], enclavePk: key.publicKey },
    registrations: [{ publicKey: key.publicKey, debug: true, pcrs: [], timestampMs: T0 - 10_000n, txDigest: 'reg', checkpoint: 3n, recordedMs: T0 - 10_000n }],
  };
  return { evidence, key, reply };
}

describe('verifyEvidence', () => {
  it('a genuine debug answer: genuine, with the caveat, every check listed', async () => {
    const { evidence, reply } = await genuine();
    const v = await verifyEvidence(evidence, { replySecret: reply.secretKey });
    expect(v).toMatchObject({ ok: true, status: 'genuine', attestation: 'debug', reasons: [] });
    expect(v.checks.map((c) => [c.name, c.result])).toEqual([
      ['request', 'pass'],
      ['answer', 'pass'],
      ['linkage', 'pass'],
      ['enclave-key', 'pass'],
      ['signature', 'pass'],
      ['timestamps', 'pass'],
      ['attestation', 'warn'],
      ['response-body', 'pass'],
    ]);
    expect(formatVerdict(v)).toMatch(/genuine: .*\(debug enclave, no attestation\)/);
  });

  it('evidence survives JSON (bytes as hex, u64 as strings) and re-checks the same', async () => {
    const { evidence, reply } = await genuine();
    const json = evidenceToJson(evidence);
    expect(JSON.parse(json).response.timestampMs).toBe((T0 + 300n).toString());
    expect(JSON.parse(json).submitted.replyKey).toMatch(/^[0-9a-f]{64}$/);
    const back = evidenceFromJson(json);
    expect(back).toEqual(evidence);
    expect((await verifyEvidence(back, { replySecret: reply.secretKey })).ok).toBe(true);
    expect(() => evidenceFromJson('{"version":2}')).toThrow(/not k3sdaas evidence/);
    expect(() => evidenceFromJson('nope')).toThrow(/not JSON/);
    expect(() => evidenceFromJson(json.replace(/"signature": "[0-9a-f]+"/, '"signature": "zz"'))).toThrow(/signature must be a hex string/);
  });

  it('the key in force is the last registration before the answer (ledger order, else the chain clock)', async () => {
    const { evidence } = await genuine();
    const later = { ...evidence.registrations[0]!, publicKey: new Uint8Array(32).fill(9), checkpoint: 12n, timestampMs: T0 + 1_000n };
    evidence.registrations.push(later);
    expect(keyInForce(evidence)).toBe(evidence.registrations[0]);
    // A registration in the answer's own checkpoint may be the one in force: a signature by it is accepted.
    const { evidence: e2, key: k2 } = await genuine();
    e2.registrations = [{ ...e2.registrations[0]!, publicKey: new Uint8Array(32).fill(4) }, { ...e2.registrations[0]!, publicKey: k2.publicKey, checkpoint: 11n }];
    const v2 = await verifyEvidence(e2);
    expect(v2.ok).toBe(true);
    expect(v2.response?.signer).toBe(Buffer.from(k2.publicKey).toString('hex'));
    for (const r of evidence.registrations) r.checkpoint = null;
    expect(keyInForce(evidence)).toBe(evidence.registrations[0]);
    expect((await verifyEvidence(evidence)).ok).toBe(true);
  });

  it('an off-chain response body is checked against its blob id before decryption', async () => {
    const { evidence, reply } = await genuine();
    const ciphertext = evidence.response!.body;
    const id = blobId(ciphertext);
    evidence.response!.body = new Uint8Array();
    evidence.response!.bodyBlob = id;
    const notFetched = await verifyEvidence(evidence, { replySecret: reply.secretKey });
    expect(notFetched.ok).toBe(true);
    expect(notFetched.checks.find((c) => c.name === 'response-body')).toMatchObject({ result: 'skip', detail: expect.stringMatching(/off chain .* not fetched/) });
    evidence.blobs = { [id]: ciphertext };
    expect((await verifyEvidence(evidence, { replySecret: reply.secretKey })).checks.find((c) => c.name === 'response-body')?.result).toBe('pass');
    expect(evidenceFromJson(evidenceToJson(evidence)).blobs).toEqual({ [id]: ciphertext });
    const altered = ciphertext.slice();
    altered[40]! ^= 1;
    evidence.blobs = { [id]: altered };
    const v = await verifyEvidence(evidence, { replySecret: reply.secretKey });
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual([expect.stringMatching(/response-body: the off-chain response body does not match its blob id .* \(digest differs\)/)]);
  });

  it('a signed timestamp slightly before submission is tolerated within the 10 s clock skew, not beyond', async () => {
    const { evidence, key } = await genuine();
    const resign = async (ts: bigint) => {
      evidence.response!.timestampMs = ts;
      evidence.response!.signature = await signIntent(key, INTENT_RESPONSE, ts, {
        requestId: REQUEST, requester: USER, requestBodyDigest: evidence.submitted!.bodyDigest, status: 200, responseBodyDigest: evidence.response!.bodyDigest,
      });
      return verifyEvidence(evidence);
    };
    expect((await resign(T0 - 2_000n)).ok).toBe(true);
    const v = await resign(T0 - 20_000n);
    expect(v.ok).toBe(false);
    expect(v.reasons.join()).toMatch(/timestamps: the answer is signed at .* before the request was submitted/);
  });
});
