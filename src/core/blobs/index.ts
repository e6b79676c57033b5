export { blobId, verifyBlob, assertBlobId, parseBlobId, MemoryBlobStore, BlobError, type BlobStore } from './store.js';
export { WalrusBlobStore, type WalrusOptions } from './walrus.js';
export { HttpBlobStore, serveBlobs, MAX_BLOB_BYTES, DEFAULT_BLOB_RETENTION_MS, type BlobServer } from './http.js';
