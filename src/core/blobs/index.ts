export { blobId, verifyBlob, assertBlobId, MemoryBlobStore, BlobError, type BlobStore } from './store.js';
export { HttpBlobStore, serveBlobs, MAX_BLOB_BYTES, type BlobServer } from './http.js';
