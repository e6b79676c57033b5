/**
 * Remembered Ed25519 verdicts for the twin. Every transaction runs the twin up to three times (the budget estimate,
 * the simulation, the execution), each checking the same credential and enclave signatures over the same bytes;
 * a verdict depends on nothing else, so it is computed once. The key holds the full inputs (not a hash of them), so
 * a hit is exactly the same question. Bounded: oldest verdicts go first.
 */
const MAX_ENTRIES = 2_048;
const verdicts = new Map<string, boolean>();

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

export function rememberedVerdict(signature: Uint8Array, publicKey: Uint8Array, message: Uint8Array, verify: () => boolean): boolean {
  const key = `${signature.length},${publicKey.length},${latin1(signature)}${latin1(publicKey)}${latin1(message)}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = verify();
    if (verdicts.size >= MAX_ENTRIES) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(key, verdict);
  }
  return verdict;
}
