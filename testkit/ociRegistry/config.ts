/**
 * distribution 2.8's config.yml for a test registry: filesystem storage in the temp dir, TLS,
 * deletes allowed, quiet logs, and one of the three auth modes. Keys as distribution 2.8's
 * docs/configuration.md names them (`auth.htpasswd.{realm,path}`,
 * `auth.token.{realm,service,issuer,rootcertbundle}`, `catalog.maxentries`).
 */
export interface RegistryConfigInput {
  dir: string;
  port: number;
  auth: { kind: 'none' } | { kind: 'basic'; htpasswdPath: string } | { kind: 'token'; realm: string; service: string; issuer: string; rootCertBundlePath: string };
  certPath: string;
  keyPath: string;
  secret: string;
  catalogMaxEntries?: number;
}

/** YAML double-quoted scalar: JSON's string syntax is a subset of it. */
const q = (s: string): string => JSON.stringify(s);

export function registryConfigYaml(input: RegistryConfigInput): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    // The access log (combined format, on stdout) is the registry's request log for tests.
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(`${input.dir}/data`)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${q(`127.0.0.1:${input.port}`)}`,
    `  secret: ${q(input.secret)}`,
    '  tls:',
    `    certificate: ${q(input.certPath)}`,
    `    key: ${q(input.keyPath)}`,
  ];
  if (input.catalogMaxEntries !== undefined) lines.push('catalog:', `  maxentries: ${input.catalogMaxEntries}`);
  const { auth } = input;
  if (auth.kind === 'basic') lines.push('auth:', '  htpasswd:', `    realm: ${q('oci-test-registry')}`, `    path: ${q(auth.htpasswdPath)}`);
  if (auth.kind === 'token') {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${q(auth.realm)}`,
      `    service: ${q(auth.service)}`,
      `    issuer: ${q(auth.issuer)}`,
      `    rootcertbundle: ${q(auth.rootCertBundlePath)}`,
    );
  }
  return lines.join('\n') + '\n';
}
