import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBlobStore, serveBlobs, type BlobServer } from './http.js';

let server: BlobServer;
beforeAll(async () => {
  server = await serveBlobs({ token: 'upload-secret', maxStoredBytes: 1000 });
});
afterAll(() => server.close());

describe('local blob service', () => {
  it('stores with the token, serves anyone, and verifies what it serves', async () => {
    const writer = new HttpBlobStore(server.url, { token: 'upload-secret' });
    const reader = new HttpBlobStore(server.url);
    const id = await writer.put(new Uint8Array([1, 2, 3]));
    expect(await reader.get(id)).toEqual(new Uint8Array([1, 2, 3]));
    await Promise.all([writer.close(), reader.close()]);
  });

  it('refuses uploads without the token', async () => {
    const stranger = new HttpBlobStore(server.url, { token: 'guess' });
    await expect(stranger.put(new Uint8Array([9]))).rejects.toThrow(/401/);
    const anonymous = new HttpBlobStore(server.url);
    await expect(anonymous.put(new Uint8Array([9]))).rejects.toThrow(/401/);
    await Promise.all([stranger.close(), anonymous.close()]);
  });

  it('refuses uploads past its total capacity', async () => {
    const writer = new HttpBlobStore(server.url, { token: 'upload-secret' });
    await expect(writer.put(new Uint8Array(2000).fill(7))).rejects.toThrow(/507|full/);
    await writer.close();
  });
});

describe('blob service in the data dir', () => {
  it('a stored blob is still served, verified, after the service restarts; it is dropped after the retention', async () => {
    const { mkdtempSync, readdirSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = join(mkdtempSync(join(tmpdir(), 'k3sdaas-blobs-')), 'blobs');
    const clock = { t: Date.now() };
    const first = await serveBlobs({ token: 't', dir, retentionMs: 7 * 24 * 3_600_000, now: () => clock.t });
    const writer = new HttpBlobStore(first.url, { token: 't' });
    const answer = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const id = await writer.put(answer);
    await writer.close();
    await first.close();
    const [file] = readdirSync(dir);
    expect(file).toBe(id.replace(':', '-'));
    expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);

    // A day later (past every request deadline, and past the old 10-minute TTL), after a restart: still there.
    clock.t += 24 * 3_600_000;
    const second = await serveBlobs({ dir, retentionMs: 7 * 24 * 3_600_000, now: () => clock.t });
    const reader = new HttpBlobStore(second.url);
    expect(await reader.get(id)).toEqual(answer);
    await reader.close();
    await second.close();

    // Past the retention it is swept at start.
    clock.t += 7 * 24 * 3_600_000;
    const third = await serveBlobs({ dir, retentionMs: 7 * 24 * 3_600_000, now: () => clock.t });
    const late = new HttpBlobStore(third.url);
    await expect(late.get(id)).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
    expect(readdirSync(dir)).toEqual([]);
    await late.close();
    await third.close();
  });
});
