/** The real kubectl pointed at a sandbox's gateway with a credential the dev user signed for it. */
import type { Keypair } from '@mysten/sui/cryptography';
import { credentialToToken, signCredential } from '../../src/core/credential.js';
import type { Sandbox } from '../../src/dev/sandbox.js';
import { kubectlRunner, writeKubeconfig } from './kubectl.js';

export async function gatewayToken(
  sb: Sandbox,
  user: { keypair: Keypair; tokenId: string } = sb.user,
  expiresInMs = 600_000,
): Promise<string> {
  const signed = await signCredential(user.keypair, {
    clusterId: sb.clusterId,
    gateway: sb.gatewayAddress,
    tokenId: user.tokenId,
    expiresMs: BigInt(Date.now() + expiresInMs),
  });
  return credentialToToken(signed);
}

export async function gatewayKubectl(sb: Sandbox, user?: { keypair: Keypair; tokenId: string }) {
  return kubectlRunner(writeKubeconfig(sb.gatewayUrl, sb.tls.caPem, { token: await gatewayToken(sb, user) }));
}
