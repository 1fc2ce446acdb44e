/**
 * The world the connection tests run in: two tenants, each with a subscription and a
 * registry, and one identity per way of signing in — a service principal with a secret and
 * one with a certificate in tenant A, an app trusting the pipeline's ID tokens and a
 * user-assigned managed identity in tenant B, a system-assigned managed identity in tenant A.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { pipelineFederatedCredential } from '../../../../testkit/emulator';
import type { Fixture, RoleAssignment } from '../../../../testkit/emulator/api';

export const TENANT_A = '1a1a1a1a-0000-4000-8000-0000000000a1';
export const TENANT_B = '2b2b2b2b-0000-4000-8000-0000000000b2';
export const SUB_A = 'a0a0a0a0-1111-4111-8111-0000000000a1';
export const SUB_B = 'b0b0b0b0-2222-4222-8222-0000000000b2';

/** Connection ids, as the agent passes them (GUIDs). */
export const CONN = {
  secret: '5ec7e700-0000-4000-8000-000000000001',
  certificate: 'ce7f0000-0000-4000-8000-000000000002',
  workload: 'f0de7a7e-0000-4000-8000-000000000003',
  userIdentity: '0501d000-0000-4000-8000-000000000004',
  systemIdentity: '5757e300-0000-4000-8000-000000000005',
} as const;

export const WIF_CONNECTION_NAME = 'acr-target (workload identity)';

export const APP = {
  secret: 'c1000001-aaaa-4aaa-8aaa-000000000001',
  certificate: 'c1000002-aaaa-4aaa-8aaa-000000000002',
  workload: 'c1000003-bbbb-4bbb-8bbb-000000000003',
  userIdentity: 'c1000004-bbbb-4bbb-8bbb-000000000004',
  systemIdentity: 'c1000005-aaaa-4aaa-8aaa-000000000005',
} as const;

export const CLIENT_SECRET = 'connection-secret~Value.9f27Q';

export const REGISTRY = { a: 'registrya', a2: 'registryaux', b: 'registryb' } as const;

const readerOf = (sub: string): RoleAssignment[] => [
  { role: 'Reader', scope: `/subscriptions/${sub}` },
  { role: 'AcrPull', scope: `/subscriptions/${sub}` },
];

export interface Certificate {
  certPem: string;
  keyPem: string;
  /** What a certificate service connection holds: certificate and private key in one PEM. */
  pem: string;
}

/** A self-signed RSA certificate with its key, made fresh for the run. */
export async function makeCertificate(): Promise<Certificate> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0b',
    name: 'CN=acr-transfer-connection',
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: alg,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  const certPem = cert.toString('pem');
  return { certPem, keyPem, pem: `${certPem}\n${keyPem}` };
}

export function world(certificate: Certificate): Fixture {
  return {
    principals: [
      { tenantId: TENANT_A, clientId: APP.secret, secret: CLIENT_SECRET, roles: readerOf(SUB_A) },
      { tenantId: TENANT_A, clientId: APP.certificate, certificatePem: certificate.certPem, roles: readerOf(SUB_A) },
      { tenantId: TENANT_A, clientId: APP.systemIdentity, managedIdentity: 'systemAssigned', roles: readerOf(SUB_A) },
      { tenantId: TENANT_B, clientId: APP.workload, federated: pipelineFederatedCredential(WIF_CONNECTION_NAME), roles: readerOf(SUB_B) },
      { tenantId: TENANT_B, clientId: APP.userIdentity, managedIdentity: 'userAssigned', roles: readerOf(SUB_B) },
    ],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT_A,
        registries: [
          {
            name: REGISTRY.a,
            resourceGroup: 'rg-a',
            repositories: { app: { '1.0': { content: { kind: 'image', seed: 'a-app' } } }, 'team/tool': { v1: { content: { kind: 'image', seed: 'a-tool' } } } },
          },
          { name: REGISTRY.a2, resourceGroup: 'rg-a', repositories: { aux: { '1': { content: { kind: 'image', seed: 'aux' } } } } },
        ],
      },
      {
        id: SUB_B,
        tenantId: TENANT_B,
        registries: [{ name: REGISTRY.b, resourceGroup: 'rg-b', repositories: { mirror: { '0.9': { content: { kind: 'image', seed: 'b' } } } } }],
      },
    ],
    pipeline: { serviceConnections: [{ id: CONN.workload, name: WIF_CONNECTION_NAME }] },
  };
}
