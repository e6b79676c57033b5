export { SessionChannel, FRAME, initialDigest, chainDigest, type Direction, type Frame, type FrameKind } from './channel.js';
export { TranscriptWriter, readTranscript, TRANSCRIPT_FORMAT, type SavedTranscript } from './transcript.js';
export { SESSION_GRANT_TYPE, grantResponse, grantOf, isStreamRequest, type SessionGrant } from './grant.js';
export { isUpgradeRequest, offeredProtocols, upgradeSubresource, exitStatusOf, encodeMessage, decodeMessage, asToken, fromToken, type UpgradeHead } from './upgrade.js';
