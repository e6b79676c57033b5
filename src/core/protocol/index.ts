export {
  sealRequest,
  openRequest,
  sealResponse,
  openResponse,
  placeBody,
  bodyCiphertext,
  publicPath,
  ProtocolError,
  type SealedRequest,
  type SealedResponse,
} from './request.js';
