import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { describe, expect, it } from 'vitest';
import { ed25519Verify } from './common.js';

describe('remembered Ed25519 verdicts', () => {
  it('answer as verifying does, for the exact inputs only', async () => {
    const kp = new Ed25519Keypair();
    const pk = kp.getPublicKey().toRawBytes();
    const message = new Uint8Array([1, 2, 3]);
    const sig = await kp.sign(message);
    for (let i = 0; i < 2; i++) {
      expect(ed25519Verify(sig, pk, message)).toBe(true);
      const tampered = Uint8Array.from(sig);
      tampered[5]! ^= 1;
      expect(ed25519Verify(tampered, pk, message)).toBe(false);
      expect(ed25519Verify(sig, pk, new Uint8Array([1, 2, 4]))).toBe(false);
      expect(ed25519Verify(sig, new Ed25519Keypair().getPublicKey().toRawBytes(), message)).toBe(false);
      // The same bytes split differently between signature, key and message are another question.
      const all = new Uint8Array([...sig, ...pk, ...message]);
      expect(ed25519Verify(all.subarray(0, 63), all.subarray(63, 96), all.subarray(96))).toBe(false);
      expect(ed25519Verify(all.subarray(0, 64), all.subarray(64, 96), all.subarray(96))).toBe(true);
    }
  });
});
