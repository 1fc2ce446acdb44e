/**
 * The key a token server signs registry tokens with: RSA 2048 (RS256) and a self-signed
 * certificate for it. distribution 2.8 trusts a token whose header carries the signing
 * certificate (`x5c`) when that certificate chains to its `auth.token.rootcertbundle`; the
 * certificate itself is the bundle, so the chain is one certificate long.
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface TokenSigner {
  /** PEM of the certificate: distribution's `rootcertbundle`. */
  certPem: string;
  /** The certificate's DER in base64: the JWT header's `x5c` entry. */
  certBase64: string;
  sign(data: Buffer): Promise<Buffer>;
}

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

export async function createTokenSigner(): Promise<TokenSigner> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '03',
    name: 'CN=OCI test registry token signer',
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 30 * 24 * 3600_000),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true)],
  });
  return {
    certPem: cert.toString('pem') + '\n',
    certBase64: Buffer.from(cert.rawData).toString('base64'),
    sign: async (data) => Buffer.from(await webcrypto.subtle.sign(ALGORITHM.name, keys.privateKey, data)),
  };
}
