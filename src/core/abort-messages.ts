/** What each contract refusal means, in words a kubectl user can act on. Keyed by the Move error constant. */
export const ABORT_MESSAGES: Record<string, string> = {
  ERoleCannotWrite: "your SealToken's role does not allow writes (viewer); the cluster operator grants editor or admin",
  ERoleCannotReadSecrets: "your SealToken's role (viewer) does not allow reading secrets",
  ERoleCannotWriteClusterScoped: "your SealToken's role (editor) allows writes only to namespaced resources",
  ERoleCannotProxy: "your SealToken's role does not allow proxying to nodes, services or pods",
  ETenantOutsideNamespace: 'your SealToken is a tenant: it may only use resources inside the namespace it claimed',
  ETenantClusterScoped: 'your SealToken is a tenant: cluster-scoped resources (nodes, namespaces, cluster roles, cross-namespace lists) need a role granted by the cluster operator',
  ETenantNonResource: 'your SealToken is a tenant: of the non-resource paths it may only read API discovery, /version and /openapi',
  EStakeBelowMinimum: "your SealToken's stake is below the cluster's minimum (it was slashed); it has no access until you stake again",
  EInsufficientBalance: "your SealToken's prepaid balance does not cover this request's fee; top it up (k3sdaas stake topup)",
  EInvalidNamespace: 'the namespace must be a DNS-1123 label: a-z, 0-9 and -, at most 63 characters, starting and ending with a letter or digit',
  EReservedNamespace: 'that namespace is reserved (default, kube-*, k3sdaas-* or reserved by the operator)',
  ENamespaceTaken: 'that namespace is already claimed by another tenant',
  ENoRole: 'the SealToken has no cluster role to revoke',
  EInvalidRole: 'the role must be viewer, editor or admin',
  EInvalidTimeout: 'a timeout must be above 0 and at most its bound (request 1 h, heartbeat 7 d)',
  EInvalidPeriod: 'a period is above its bound (stake lock: 365 d)',
  EInsufficientWriteStake: 'writes need more stake on your SealToken than it holds (the cluster sets min_write_stake)',
  EWrongCluster: 'your SealToken belongs to another cluster',
  EUnknownToken: 'the SealToken named by the credential is not staked in this cluster',
  ENotTokenOwner: 'the credential was not signed by the owner of its SealToken',
  EGatewayNotRegistered: 'this gateway is not registered for the cluster',
  EWrongGateway: 'the credential was issued for another gateway',
  EExpired: 'the credential has expired',
  EInvalidSignature: 'a signature does not verify',
  EUnsupportedScheme: 'only ed25519 keys can sign credentials',
  EMalformedCredential: 'the credential is malformed',
  EInvalidMethod: 'this HTTP method cannot be submitted',
  EInvalidPath: 'the request path is not acceptable: it must start with /, have no empty, . or .. segments, no percent-encoding or other characters outside RFC 3986 pchar, and be at most 1024 bytes',
  EBodyTooLarge: 'the request body is larger than an on-chain request can carry',
  ENoEnclave: 'the cluster has no registered enclave key (is nautilus running?)',
};

export function abortMessage(name: string | undefined): string {
  return (name && ABORT_MESSAGES[name]) ?? 'the K3s-DaaS contract refused the request';
}
