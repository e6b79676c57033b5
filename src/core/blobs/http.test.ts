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
