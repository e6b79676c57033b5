import { describe, expect, it } from 'vitest';
import { generateEncryptionKey } from '../crypto/index.js';
import { FRAME, SessionChannel } from './channel.js';

const id = '0x' + 'ab'.repeat(32);

function pair() {
  const session = generateEncryptionKey();
  const reply = generateEncryptionKey();
  return {
    enclave: SessionChannel.enclave(id, session.secretKey, reply.publicKey),
    requester: SessionChannel.requester(id, reply.secretKey, session.publicKey),
    session,
    reply,
  };
}

describe('session channel', () => {
  it('frames open at the other end in order, and both ends agree on the transcript digest and byte counts', () => {
    const { enclave, requester } = pair();
    expect(enclave.receive(requester.send(FRAME.hello)).kind).toBe(FRAME.hello);
    const f = requester.receive(enclave.send(FRAME.data, new TextEncoder().encode('{"type":"ADDED"}')));
    expect([f.kind, new TextDecoder().decode(f.payload)]).toEqual([FRAME.data, '{"type":"ADDED"}']);
    expect(requester.digest).toBe(enclave.digest);
    expect([requester.bytesDown, enclave.bytesDown]).toEqual([16, 16]);
  });

  it('refuses a replayed, reordered, altered or foreign frame', () => {
    const { enclave, requester } = pair();
    const a = enclave.send(FRAME.data, new Uint8Array([1]));
    const b = enclave.send(FRAME.data, new Uint8Array([2]));
    expect(() => requester.receive(b)).toThrow(/does not open/);
    requester.receive(a);
    expect(() => requester.receive(a)).toThrow(/does not open/);
    const altered = new Uint8Array(b);
    altered[0] ^= 1;
    expect(() => requester.receive(altered)).toThrow(/does not open/);
    // Someone without the reply key cannot make a frame the enclave accepts (the hello proves the key).
    const stranger = SessionChannel.requester(id, generateEncryptionKey().secretKey, pair().session.publicKey);
    expect(() => enclave.receive(stranger.send(FRAME.hello))).toThrow(/does not open/);
  });

  it('a frame of one session does not open in another session of the same keys', () => {
    const { session, reply, enclave } = pair();
    const other = SessionChannel.requester('0x' + 'cd'.repeat(32), reply.secretKey, session.publicKey);
    expect(() => other.receive(enclave.send(FRAME.data, new Uint8Array([7])))).toThrow(/does not open/);
  });
});
