/**
 * The blob routes of one registry, as the recorded ACR sessions and the distribution spec
 * show them:
 * - `POST /v2/{name}/blobs/uploads/` starts an upload (202, `Location` with `_nouploadcache` and
 *   `_state`, `Docker-Upload-Uuid`, `Range: 0-0`; recorded 2023); with `?digest=` and a body it
 *   is a monolithic upload (201); with `?mount=&from=` a cross-repository mount (201 when the
 *   blob is there and the token may pull `from`, else an upload as usual);
 * - `PATCH` a chunk (202, `Range: 0-<last byte>`), `PUT …&digest=` to finish (201, `Location`
 *   `/v2/{name}/blobs/{digest}`, `Docker-Content-Digest`), `GET` its state (204), `DELETE` to
 *   cancel (204); all with a `repository:{name}:pull,push` token, as the recorded challenge asks;
 * - `HEAD /v2/{name}/blobs/{digest}` answers the blob's length and digest; `GET` answers 307 to
 *   storage (ACR serves layers from its storage account or dedicated data endpoint through a
 *   307 from the login server, links valid 20 minutes: Microsoft's "dedicated data endpoints"
 *   article), here a signed path of the same server; both with a `pull` token;
 * - `DELETE /v2/{name}/blobs/{digest}` needs `delete` and answers 404 BLOB_UNKNOWN for a blob
 *   the registry does not hold (recorded 2023).
 * Only pushed blobs exist: fixture content has descriptors, not bytes (README).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { acrErrors } from './acrAuth';
import { sha256Digest } from './content';
import { emptyReply, type Reply, type RequestContext } from './http';
import { DIGEST, param, repoScope, type Guard } from './routeParts';
import type { RegistryState } from './state';

interface Upload {
  repository: string;
  chunks: Buffer[];
  offset: number;
  startedAt: string;
}

/** How long a storage link stays valid (ACR: 20 minutes). */
const LINK_SECONDS = 20 * 60;


const blobUnknown = (): Reply => acrErrors(404, 'BLOB_UNKNOWN', 'blob unknown to registry');
const uploadUnknown = (): Reply => acrErrors(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
const digestInvalid = (digest: string | null): Reply =>
  acrErrors(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content', digest === null ? undefined : { Digest: digest });

/** Distribution's Range of an upload: `0-0` before the first byte, else `0-<offset - 1>`. */
const rangeOf = (offset: number): string => `0-${Math.max(0, offset - 1)}`;

export class BlobRoutes {
  private readonly uploads = new Map<string, Upload>();
  private readonly storageKey = randomBytes(32);

  constructor(
    private readonly registry: RegistryState,
    private readonly guard: Guard,
  ) {}

  /** `HEAD|GET|DELETE /v2/{name}/blobs/{digest}`. */
  blob = (ctx: RequestContext): Reply => {
    const [name, digest] = [param(ctx, 0), param(ctx, 1)];
    const deleting = ctx.method === 'DELETE';
    const refused = this.guard(ctx, repoScope(name, deleting ? 'delete' : 'pull'));
    if (refused) return refused;
    const reply = deleting ? this.delete(name, digest) : this.read(ctx, name, digest);
    // As recorded for a blob DELETE: request ids, and the remaining-calls header with the
    // recorded figure (what it counts is not documented).
    reply.headers = { ...reply.headers, ...requestIds(ctx), ...(deleting ? { 'X-Ms-Ratelimit-Remaining-Calls-Per-Second': '8.000000' } : {}) };
    return reply;
  };

  private delete(name: string, digest: string): Reply {
    if (!this.registry.deleteBlob(name, digest)) return blobUnknown();
    return emptyReply(202, { 'Docker-Content-Digest': digest });
  }

  private read(ctx: RequestContext, name: string, digest: string): Reply {
    const bytes = this.registry.blob(name, digest);
    if (!bytes) return blobUnknown();
    if (ctx.method === 'HEAD') {
      return emptyReply(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length), 'Docker-Content-Digest': digest });
    }
    return emptyReply(307, { Location: this.storageLink(name, digest) });
  }

  /** `POST /v2/{name}/blobs/uploads/`. */
  startUpload = (ctx: RequestContext): Reply => {
    const name = param(ctx, 0);
    const refused = this.guard(ctx, repoScope(name, 'pull', 'push'));
    if (refused) return refused;
    const query = ctx.url.searchParams;
    const digest = query.get('digest');
    if (digest !== null) return this.store(ctx, name, digest, ctx.body);
    const mount = query.get('mount');
    const from = query.get('from');
    if (mount !== null && from !== null && !this.guard(ctx, repoScope(from, 'pull'))) {
      const bytes = this.registry.blob(from, mount);
      if (bytes) {
        this.registry.putBlob(name, mount, bytes);
        return this.created(ctx, name, mount);
      }
    }
    const uuid = randomUUID();
    const upload: Upload = { repository: name, chunks: [], offset: 0, startedAt: new Date().toISOString() };
    this.uploads.set(uuid, upload);
    return emptyReply(202, this.progress(ctx, uuid, upload));
  };

  /** `PATCH|PUT|GET|DELETE /v2/{name}/blobs/uploads/{uuid}`. */
  upload = (ctx: RequestContext): Reply => {
    const [name, uuid] = [param(ctx, 0), param(ctx, 1)];
    const refused = this.guard(ctx, repoScope(name, 'pull', 'push'));
    if (refused) return refused;
    const upload = this.uploads.get(uuid);
    if (!upload || upload.repository !== name) return uploadUnknown();
    switch (ctx.method) {
      case 'GET':
        return emptyReply(204, this.progress(ctx, uuid, upload));
      case 'DELETE':
        this.uploads.delete(uuid);
        return emptyReply(204);
      case 'PATCH': {
        // A chunk must start where the upload is (distribution spec: else 416).
        const range = /^(\d+)-(\d+)$/.exec(ctx.header('content-range') ?? '');
        if (range && Number(range[1]) !== upload.offset) return emptyReply(416, this.progress(ctx, uuid, upload));
        this.append(upload, ctx.body);
        return emptyReply(202, this.progress(ctx, uuid, upload));
      }
      default: {
        this.append(upload, ctx.body);
        const reply = this.store(ctx, name, ctx.url.searchParams.get('digest'), Buffer.concat(upload.chunks));
        if (reply.status === 201) this.uploads.delete(uuid);
        return reply;
      }
    }
  };

  /** `GET /_emulator/storage/{name}/{digest}?se=&sig=`: the storage a blob GET redirects to. */
  storage = (ctx: RequestContext): Reply => {
    const [name, digest] = [param(ctx, 0), param(ctx, 1)];
    const expiry = Number(ctx.url.searchParams.get('se'));
    const given = Buffer.from(ctx.url.searchParams.get('sig') ?? '', 'hex');
    const expected = this.signature(name, digest, expiry);
    const valid = given.length === expected.length && timingSafeEqual(given, expected) && expiry * 1000 > Date.now();
    if (!valid) return { status: 403, headers: { 'Content-Type': 'application/xml' }, body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message></Error>' };
    const bytes = this.registry.blob(name, digest);
    if (!bytes) return { status: 404, headers: { 'Content-Type': 'application/xml' }, body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>' };
    return { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: bytes };
  };

  private append(upload: Upload, chunk: Buffer): void {
    if (chunk.length === 0) return;
    upload.chunks.push(chunk);
    upload.offset += chunk.length;
  }

  private store(ctx: RequestContext, name: string, digest: string | null, bytes: Buffer): Reply {
    if (digest === null || !DIGEST.test(digest) || sha256Digest(bytes) !== digest) return digestInvalid(digest);
    this.registry.putBlob(name, digest, bytes);
    return this.created(ctx, name, digest);
  }

  private created(ctx: RequestContext, name: string, digest: string): Reply {
    return emptyReply(201, { 'Docker-Content-Digest': digest, Location: `/v2/${name}/blobs/${digest}`, ...requestIds(ctx) });
  }

  /** The headers of an upload in progress; the name stays unencoded in Location, as recorded. */
  private progress(ctx: RequestContext, uuid: string, upload: Upload): Record<string, string> {
    const state = Buffer.from(JSON.stringify({ Name: upload.repository, UUID: uuid, Offset: upload.offset, StartedAt: upload.startedAt })).toString('base64');
    return {
      'Docker-Upload-Uuid': uuid,
      Location: `/v2/${upload.repository}/blobs/uploads/${uuid}?_nouploadcache=false&_state=${encodeURIComponent(state)}`,
      Range: rangeOf(upload.offset),
      ...requestIds(ctx),
    };
  }

  private storageLink(name: string, digest: string): string {
    const expiry = Math.floor(Date.now() / 1000) + LINK_SECONDS;
    const sig = this.signature(name, digest, expiry).toString('hex');
    return `https://${this.registry.loginServer}/_emulator/storage/${encodeURIComponent(name)}/${digest}?se=${expiry}&sig=${sig}`;
  }

  private signature(name: string, digest: string, expiry: number): Buffer {
    return createHmac('sha256', this.storageKey).update(`${name}\n${digest}\n${expiry}`).digest();
  }
}

/** The request ids ACR answers data-plane writes with (recorded on every upload step). */
function requestIds(ctx: RequestContext): Record<string, string> {
  const clientId = ctx.header('x-ms-client-request-id');
  return { ...(clientId ? { 'X-Ms-Client-Request-Id': clientId } : {}), 'X-Ms-Request-Id': randomUUID() };
}
