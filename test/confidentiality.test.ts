/**
 * Confidentiality: a secret, a configmap and a pod created through kubectl via the gateway leave no trace of their
 * contents in anything localnet stored — every transaction (BCS, signatures, effects), every object version ever
 * written (the ledger journal keeps deleted ones too), every event, every checkpoint — in raw, base64 (std, url, at
 * any alignment) or hex form. The audit trail (method, path, namespace, resource, requester, gateway, status) is
 * there in clear, and the same scan finds public values, so a miss is meaningful.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import type { RequestSubmitted, ResponseStored } from '../src/core/events/index.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { decodeEntry } from '../src/localnet/chain/journal.js';
import type { kubectlRunner } from './helpers/kubectl.js';
import { gatewayKubectl } from './helpers/sandbox.js';
import { chainEvents } from './helpers/security.js';

const rand = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

/** Every byte string and string reachable from `value` (Uint8Arrays, strings, bigints, nested objects, Maps). */
function haystacks(value: unknown, out: Buffer[] = [], seen = new Set<unknown>()): Buffer[] {
  if (value === null || value === undefined) return out;
  if (value instanceof Uint8Array) out.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  else if (typeof value === 'string') out.push(Buffer.from(value, 'utf8'));
  else if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') out.push(Buffer.from(String(value)));
  else if (typeof value === 'object') {
    if (seen.has(value)) return out;
    seen.add(value);
    const entries = value instanceof Map ? [...value.entries()] : Array.isArray(value) ? value : Object.entries(value);
    for (const v of entries) haystacks(v, out, seen);
  }
  return out;
}

/** How a value could appear: raw, hex (both cases), base64 and base64url at each of the three byte alignments. */
function forms(value: string): Array<[string, Buffer]> {
  const raw = Buffer.from(value, 'utf8');
  const out: Array<[string, Buffer]> = [
    ['raw', raw],
    ['hex', Buffer.from(raw.toString('hex'))],
    ['HEX', Buffer.from(raw.toString('hex').toUpperCase())],
  ];
  for (const enc of ['base64', 'base64url'] as const) {
    for (let k = 0; k < 3; k++) {
      // Prefix k bytes, drop the characters that depend on the prefix or on what follows the value.
      const s = Buffer.concat([Buffer.alloc(k), raw]).toString(enc).replace(/=+$/, '');
      const start = [0, 2, 3][k]!;
      const end = s.length - (((k + raw.length) % 3) === 0 ? 0 : 1);
      out.push([`${enc}+${k}`, Buffer.from(s.slice(start, end))]);
    }
  }
  return out;
}

function findIn(stores: Buffer[], value: string): string[] {
  const hits: string[] = [];
  for (const [form, needle] of forms(value)) if (stores.some((h) => h.includes(needle))) hits.push(form);
  return hits;
}

let sb: Sandbox;
let dir: string;
let kubectl: ReturnType<typeof kubectlRunner>;

const ns = 'default';
/** Public by design: names travel in the path of reads (`GET …/secrets/<name>`). */
const secretName = rand('s-');
const password = rand('pw-');
const configValue = rand('cfg-');
const envValue = rand('env-');
const image = `registry.example/${rand('img-')}:v1`;
const commandArg = rand('arg-');
const manifestOnly = rand('ann-');
const privateValues = { password, configValue, envValue, image, commandArg, manifestOnly };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k3sdaas-confidentiality-'));
  sb = await startSandbox({ checkpointMs: 0, dataDir: dir });
  kubectl = await gatewayKubectl(sb);
}, 60_000);
afterAll(async () => {
  await sb?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('confidentiality: nothing private reaches the chain', () => {
  it('creates a secret, a configmap and a pod through kubectl via the gateway, and reads them back', async () => {
    const steps: string[][] = [
      ['-n', ns, 'create', 'secret', 'generic', secretName, `--from-literal=password=${password}`],
      ['-n', ns, 'create', 'configmap', 'c', `--from-literal=setting=${configValue}`],
      ['-n', ns, 'run', 'p', `--image=${image}`, `--env=SECRET_ENV=${envValue}`, '--restart=Never', '--', '/bin/sh', '-c', `echo ${commandArg}`],
    ];
    for (const args of steps) {
      const r = await kubectl(args);
      expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const manifest = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: ns, annotations: { note: manifestOnly } },
      data: { token: password },
    };
    const manifestFile = join(dir, 'cm.json');
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const applied = await kubectl(['apply', '-f', manifestFile]);
    expect(applied.code, applied.stderr).toBe(0);
    // Reads carry the values back (in the encrypted responses).
    const secret = await kubectl(['-n', ns, 'get', 'secret', secretName, '-o', 'jsonpath={.data.password}']);
    expect(Buffer.from(secret.stdout, 'base64').toString()).toBe(password);
    expect((await kubectl(['-n', ns, 'get', 'configmap', 'c', '-o', 'jsonpath={.data.setting}'])).stdout).toBe(configValue);
    const pod = await kubectl(['-n', ns, 'get', 'pod', 'p', '-o', 'json']);
    expect(pod.stdout).toContain(envValue);
    expect(pod.stdout).toContain(image);
    expect(pod.stdout).toContain(commandArg);
  });

  it('scans everything localnet stored and finds none of the private values — but does find the public ones', async () => {
    const chain = sb.localnet.chain;
    const stores: Buffer[] = [];
    for (const tx of chain.transactions.values()) {
      haystacks([tx.transactionBcs, tx.signatures, tx.effects, tx.events, tx.balanceChanges, tx.digest], stores);
    }
    for (const o of chain.objects.values()) haystacks(o, stores);
    for (const e of chain.events) haystacks(e, stores);
    haystacks(chain.checkpoints, stores);
    // The ledger journal: every object version ever written, including deleted Request objects.
    const journalFile = join(dir, 'localnet', 'journal.jsonl');
    expect(existsSync(journalFile)).toBe(true);
    const journalText = readFileSync(journalFile, 'utf8');
    stores.push(Buffer.from(journalText));
    const entries = journalText.split('\n').filter(Boolean).map(decodeEntry);
    haystacks(entries, stores);
    const txCount = entries.filter((e) => e.t === 'tx').length;
    expect(txCount).toBeGreaterThanOrEqual(chain.transactions.size);
    expect(chain.transactions.size).toBeGreaterThan(10);

    for (const [name, value] of Object.entries(privateValues)) {
      expect(findIn(stores, value), `${name} (${value}) found on chain`).toEqual([]);
    }

    // Honest scan: the same search finds what is public, in the forms it is stored in.
    expect(findIn(stores, secretName)).toContain('raw');
    expect(findIn(stores, `/api/v1/namespaces/${ns}/secrets`)).toContain('raw');
    expect(findIn(stores, 'configmaps')).toContain('raw');
    const requester = Buffer.from(normalizeSuiAddress(sb.user.address).slice(2), 'hex');
    expect(stores.some((h) => h.includes(requester))).toBe(true);
    // …and a private value planted in a copy of the stores is found in each form it is encoded in.
    for (const [k, prefix] of ['', 'a', 'ab'].entries()) {
      const planted = Buffer.from(`xx${Buffer.from(`${prefix}${password}"}`).toString('base64')}yy`);
      expect(findIn([...stores, planted], password)).toContain(`base64+${k}`);
      const url = Buffer.from(Buffer.from(`${prefix}${password}`).toString('base64url'));
      expect(findIn([...stores, url], password)).toContain(`base64url+${k}`);
    }
    expect(findIn([...stores, Buffer.from(`..${Buffer.from(password).toString('hex')}..`)], password)).toEqual(['hex']);
    expect(findIn([...stores, Buffer.from(`{"data":{"password":"${password}"}}`)], password)).toEqual(['raw']);
  });

  it('the nautilus journal on the host holds only ciphertexts too', () => {
    const file = join(dir, 'nautilus', 'journal.jsonl');
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').filter((l) => l.includes('"executed"')).length).toBeGreaterThan(5);
    const stores = [Buffer.from(text), ...haystacks(text.split('\n').filter(Boolean).map((l) => JSON.parse(l)))];
    for (const line of text.split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as { response?: { body?: string } };
      if (entry.response?.body) stores.push(Buffer.from(entry.response.body, 'base64'));
    }
    for (const [name, value] of Object.entries(privateValues)) expect(findIn(stores, value), name).toEqual([]);
  });

  it('the audit trail is public: method, path, namespace, resource, requester and gateway in RequestSubmitted; status in ResponseStored', () => {
    const events = chainEvents(sb.localnet);
    const submitted = events.filter((e): e is RequestSubmitted => e.$kind === 'RequestSubmitted' && e.clusterId === sb.clusterId);
    const stored = events.filter((e): e is ResponseStored => e.$kind === 'ResponseStored');
    const statusOf = (r: RequestSubmitted) => stored.find((s) => s.requestId === r.requestId)?.status;
    const audit = (method: string, resource: string) =>
      submitted.find((e) => e.method === method && e.namespace === ns && e.resource === resource && e.path.endsWith(`/namespaces/${ns}/${resource}`));
    const expectations: Array<[string, string, number]> = [
      ['POST', 'secrets', 201],
      ['POST', 'configmaps', 201],
      ['POST', 'pods', 201],
    ];
    for (const [method, resource, status] of expectations) {
      const e = audit(method, resource);
      expect(e, `${method} ${resource}`).toBeDefined();
      expect(e).toMatchObject({
        path: `/api/v1/namespaces/${ns}/${resource}`,
        namespace: ns,
        resource,
        requester: normalizeSuiAddress(sb.user.address),
        gateway: normalizeSuiAddress(sb.gatewayAddress),
        tokenId: normalizeSuiAddress(sb.user.tokenId),
      });
      expect(statusOf(e!)).toBe(status);
      // The body is public only as a ciphertext with its size and digest.
      expect(e!.body.length).toBeGreaterThan(0);
      expect(e!.bodyDigest).toHaveLength(32);
    }
    const read = submitted.find((e) => e.method === 'GET' && e.path === `/api/v1/namespaces/${ns}/secrets/${secretName}`);
    expect(read).toMatchObject({ namespace: ns, resource: 'secrets' });
    expect(statusOf(read!)).toBe(200);
  });
});
