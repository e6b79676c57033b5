export { seal, open, SEALED_OVERHEAD, type SealPurpose } from './sealed-box.js';
export {
  generateEncryptionKey,
  encryptionKeyFromSecret,
  enclaveEncryptionKey,
  enclaveDecryptionKey,
  digest,
  type EncryptionKeyPair,
} from './keys.js';
export { CryptoError } from './errors.js';
