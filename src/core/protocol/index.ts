export { sealRequest, openRequest, sealResponse, openResponse, publicPath, ProtocolError, type SealedRequest, type SealedResponse } from './request.js';
