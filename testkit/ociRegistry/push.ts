/**
 * Pushes content into any OCI registry through a RegistryClient: blobs by a POST upload then
 * one monolithic `PUT <location>&digest=`, manifests by tag or by digest (an index's children
 * first, as registries require them to exist). Each helper answers the digests it pushed.
 */
import type { RegistryClient } from './client';
import { descriptorOf, helmChartContent, imageContent, indexContent, referrerContent, type BlobContent, type Descriptor, type ManifestContent } from './content';

export class PushFailed extends Error {}

function fail(what: string, status: number, body: Buffer): never {
  throw new PushFailed(`${what}: HTTP ${status} ${body.toString('utf8').slice(0, 300)}`);
}

export async function pushBlob(client: RegistryClient, repository: string, blob: BlobContent): Promise<void> {
  const start = await client.request('POST', `/v2/${repository}/blobs/uploads/`);
  if (start.status !== 202) fail(`starting the upload of ${blob.digest} to ${repository}`, start.status, start.body);
  const location = new URL(String(start.headers.location ?? ''), `https://${client.host}`);
  location.searchParams.set('digest', blob.digest);
  const put = await client.request('PUT', location.toString(), { headers: { 'content-type': 'application/octet-stream' }, body: blob.bytes });
  if (put.status !== 201) fail(`uploading ${blob.digest} to ${repository}`, put.status, put.body);
}

/** PUTs one manifest under `reference` (a tag or its digest) and checks the digest the registry computed. */
export async function pushManifest(client: RegistryClient, repository: string, reference: string, content: ManifestContent): Promise<string> {
  const put = await client.request('PUT', `/v2/${repository}/manifests/${reference}`, { headers: { 'content-type': content.mediaType }, body: content.bytes });
  if (put.status !== 201) fail(`pushing manifest ${repository}:${reference}`, put.status, put.body);
  const digest = String(put.headers['docker-content-digest'] ?? '');
  if (digest !== content.digest) throw new PushFailed(`${repository}:${reference}: the registry stored ${digest}, expected ${content.digest}`);
  return digest;
}

export interface Pushed {
  /** The root manifest's digest. */
  digest: string;
  /** Its descriptor (a referrer's `subject`). */
  descriptor: Descriptor;
  /** An index's child manifest digests, in order. */
  children: string[];
}

/** Pushes a manifest with everything it needs; tagged when `tag` is given, else by digest only. */
export async function pushContent(client: RegistryClient, repository: string, content: ManifestContent, tag?: string): Promise<Pushed> {
  for (const child of content.children) await pushContent(client, repository, child);
  for (const b of content.blobs) await pushBlob(client, repository, b);
  const digest = await pushManifest(client, repository, tag ?? content.digest, content);
  return { digest, descriptor: descriptorOf(content), children: content.children.map((c) => c.digest) };
}

export interface PushOptions {
  /** The seed every byte comes from: the same seed, the same digest. */
  seed: string;
  /** Omitted: pushed by digest only (untagged). */
  tag?: string;
}

export const pushImage = (client: RegistryClient, repository: string, options: PushOptions & { format?: 'docker' | 'oci' }): Promise<Pushed> =>
  pushContent(client, repository, imageContent(options.seed, { format: options.format ?? 'oci' }), options.tag);

/** A two-platform OCI index (linux/amd64, linux/arm64). */
export const pushIndex = (client: RegistryClient, repository: string, options: PushOptions): Promise<Pushed> =>
  pushContent(client, repository, indexContent(options.seed), options.tag);

export const pushHelmChart = (client: RegistryClient, repository: string, options: PushOptions & { chart?: { name: string; version: string } }): Promise<Pushed> =>
  pushContent(client, repository, helmChartContent(options.seed, options.chart), options.tag);

/** An OCI 1.1 referrer whose `subject` is `subject` (in the same repository), pushed by digest. */
export const pushReferrer = (
  client: RegistryClient,
  repository: string,
  subject: Descriptor,
  options: PushOptions & { artifactType?: string },
): Promise<Pushed> => pushContent(client, repository, referrerContent(options.seed, subject, options.artifactType), options.tag);
