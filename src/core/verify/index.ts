/** `k3sdaas verify`: evidence of one request from chain, and the pure checks that give its verdict. */
export { collectEvidence, type CollectOptions } from './collect.js';
export { checkSessionClosed, checkSessionOpened, collectSessionEvents, type SessionCheck } from './session.js';
export { verifyEvidence, formatVerdict, keyInForce, type Check, type CheckName, type Verdict, type VerdictStatus, type VerifyOptions } from './check.js';
export {
  evidenceFromJson,
  evidenceToJson,
  type ClusterEvidence,
  type Evidence,
  type ExpiredEvidence,
  type Recorded,
  type RegistrationEvidence,
  type ResponseEvidence,
  type SubmittedEvidence,
} from './evidence.js';
