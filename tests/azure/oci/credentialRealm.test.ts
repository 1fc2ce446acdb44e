import { strict as assert } from 'node:assert';
import { realmRefusal, registrableDomain } from '../../../src/azure/oci/credentialRealm';

const allowed = (apiHost: string, realm: string) => assert.equal(realmRefusal(apiHost, new URL(realm)), undefined, `${apiHost} → ${realm}`);
const refused = (apiHost: string, realm: string, why: RegExp) => assert.match(realmRefusal(apiHost, new URL(realm)) ?? '(allowed)', why, `${apiHost} → ${realm}`);

describe('azure/oci: where credentials may go (token realms)', () => {
  it("allows the registry's own host on any port", () => {
    allowed('ghcr.io', 'https://ghcr.io/token');
    allowed('quay.io', 'https://quay.io/v2/auth');
    allowed('127.0.0.1:5000', 'https://127.0.0.1:5001/token');
    allowed('myreg.azurecr.io', 'https://myreg.azurecr.io/oauth2/token');
    allowed('Registry.Example.com', 'https://registry.example.com./token');
  });

  it("allows Docker Hub's documented auth host", () => {
    allowed('registry-1.docker.io', 'https://auth.docker.io/token');
    refused('ghcr.io', 'https://auth.docker.io/token', /domain/);
  });

  it('allows another host of the same registrable domain, three labels under a two-part suffix', () => {
    allowed('registry.example.com', 'https://auth.example.com/token');
    allowed('registry.example.co.uk', 'https://login.example.co.uk/token');
    refused('registry.example.co.uk', 'https://login.other.co.uk/token', /domain/);
    refused('registry.example.com', 'https://example.com.evil.net/token', /domain/);
    refused('registry.example.com', 'https://auth.example.org/token', /domain/);
  });

  it('refuses siblings on shared domains, where names belong to different tenants', () => {
    refused('myreg.azurecr.io', 'https://other.azurecr.io/oauth2/token', /domain/);
    refused('123.dkr.ecr.us-east-1.amazonaws.com', 'https://attacker.s3.amazonaws.com/token', /domain/);
  });

  it('matches an IP address only with itself', () => {
    refused('127.0.0.1:5000', 'https://localhost:5001/token', /address/);
    refused('127.0.0.1:5000', 'https://127.0.0.2/token', /address/);
    refused('registry.example.com', 'https://10.0.0.1/token', /address/);
    allowed('[::1]:5000', 'https://[::1]:5001/token');
  });

  it('refuses a realm that is not HTTPS or carries credentials of its own', () => {
    refused('ghcr.io', 'http://ghcr.io/token', /HTTPS/);
    refused('ghcr.io', 'https://user:pw@ghcr.io/token', /credentials/);
  });

  it('reads registrable domains simply', () => {
    assert.equal(registrableDomain('a.b.example.com'), 'example.com');
    assert.equal(registrableDomain('a.b.example.co.uk'), 'example.co.uk');
    assert.equal(registrableDomain('example.com'), 'example.com');
    assert.equal(registrableDomain('10.1.2.3'), '10.1.2.3');
  });
});
