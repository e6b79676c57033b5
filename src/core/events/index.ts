/** Decoders for K3s-DaaS events and objects (BCS, driven by the ABI). */
export * from './types.js';
export {
  decodeCluster,
  decodeClusterAdminCap,
  decodeEvent,
  decodeObject,
  decodeObjectContent,
  decodeRequest,
  decodeSealToken,
  decodeStruct,
  decodeWorker,
  fromBcsValue,
  isEvent,
  parseStructTag,
  type DecodeOptions,
  type EventLike,
  type ObjectLike,
} from './decode.js';
