/**
 * The engine's RegistryReader over the ACR data plane of one registry.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { ManifestKind, Referrer, RegistryReader, TagInfo } from '../../engine/ports';
import type { AzureCloud } from '../cloud';
import { AcrClient, createAcrClient } from './acrClient';
import { knownAcrChallenge } from './acrTokens';
import { isAbacMode, type RegistryRef } from '../registryRef';
import type { Transport } from '../http/transport';

export class AcrRegistryReader implements RegistryReader {
  constructor(readonly client: AcrClient) {}

  listRepositories(signal?: AbortSignal): AsyncIterable<string> {
    return this.client.listRepositories(signal);
  }

  /** Lets the token requests of these repositories carry several scopes each (decision 005). */
  expectRepositories(names: readonly string[]): void {
    this.client.expectRepositories(names);
  }

  /** The client's tags as they are: each already has a TagInfo's fields and no other (no copy per tag). */
  listTags(repository: string, signal?: AbortSignal): Promise<TagInfo[] | null> {
    return this.client.listTags(repository, signal);
  }

  /** The client's tag pages as they come, each let go once the planner has matched it. */
  listTagPages(repository: string, signal?: AbortSignal): AsyncIterable<readonly TagInfo[] | null> {
    return this.client.listTagPages(repository, signal);
  }

  countReferencedManifests(repository: string, digest: string, signal?: AbortSignal): Promise<number> {
    return this.client.countReferencedManifests(repository, digest, signal);
  }

  listManifestKinds(repository: string, signal?: AbortSignal, only?: ReadonlySet<string>): Promise<ReadonlyMap<string, ManifestKind>> {
    return this.client.listManifestKinds(repository, signal, only);
  }

  repositoryWriteEnabled(repository: string, signal?: AbortSignal): Promise<boolean | null> {
    return this.client.repositoryWriteEnabled(repository, signal);
  }

  manifestWriteEnabled(repository: string, digest: string, signal?: AbortSignal): Promise<boolean | null> {
    return this.client.manifestWriteEnabled(repository, digest, signal);
  }

  listLockedManifests(repository: string, signal?: AbortSignal): Promise<ReadonlySet<string>> {
    return this.client.listLockedManifests(repository, signal);
  }

  listReferrers(repository: string, digest: string, signal?: AbortSignal): Promise<Referrer[]> {
    return this.client.listReferrers(repository, digest, signal);
  }

  /** By `HEAD /v2/{repo}/manifests/{digest}` (a `pull` token, the one its referrers listing holds). */
  async hasManifest(repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.client.getManifestDigest(repository, digest, signal)) !== null;
  }
}

export function createAcrRegistryReader(
  registry: Pick<RegistryRef, 'loginServer' | 'roleAssignmentMode' | 'sku'>,
  credential: TokenCredential,
  cloud: AzureCloud,
  transport: Transport,
): AcrRegistryReader {
  return new AcrRegistryReader(
    createAcrClient(registry.loginServer, credential, cloud, transport, {
      abacMode: isAbacMode(registry),
      ...(registry.sku ? { tier: registry.sku } : {}),
      // Found through ARM, so an ACR: its challenge is known and the first request carries a token.
      knownChallenge: knownAcrChallenge(registry.loginServer),
    }),
  );
}
