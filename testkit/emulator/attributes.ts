/**
 * The `changeableAttributes` updates: `PATCH /acr/v1/{name}` (the repository),
 * `PATCH /acr/v1/{name}/_manifests/{digest}` (one manifest) and
 * `PATCH /acr/v1/{name}/_tags/{tag}` (one tag), as `az acr repository update` and the SDKs
 * send them. As recorded (JS SDK, 2023, `recording_sets_{repository,manifest,tag}_properties`):
 * the body is JSON with any of `deleteEnabled`, `writeEnabled`, `readEnabled`, `listEnabled`;
 * a token without `metadata_write` gets 401 with `scope="repository:{name}:metadata_write"`
 * and `error="insufficient_scope"`; the answer is 200 and the whole of what a GET answers, the
 * new attributes in, dates unchanged. Only the fields sent change.
 *
 * A manifest's or tag's attributes cannot be changed while the repository is locked
 * (`writeEnabled: false`): Microsoft's Update-AzContainerRegistryManifest reference says to
 * unlock the repository first. The refusal is the lock's 405 REGISTRY_DISALLOWED_OPERATION
 * (the code of a real one is not documented). Who may: whoever's token holds `metadata_write`.
 */
import type { ChangeableAttributes } from './api';
import { acrErrors } from './acrAuth';
import { jsonReply, type Reply, type RequestContext } from './http';
import { disallowed, nameUnknown, param, repoScope, type Guard } from './routeParts';
import type { Repository } from './state';

const FIELDS = ['deleteEnabled', 'writeEnabled', 'readEnabled', 'listEnabled'] as const;

/** The attributes a PATCH body sets, or why it is not one. */
function changesOf(body: Buffer): Partial<ChangeableAttributes> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the body is not JSON';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'the body is not a JSON object';
  const changes: Partial<ChangeableAttributes> = {};
  for (const field of FIELDS) {
    const value = (parsed as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') return `${field} must be true or false`;
    changes[field] = value;
  }
  return changes;
}

/** The repository, the attributes the body sets, or the refusal: scope, repository, body. */
function prepare(ctx: RequestContext, name: string, guard: Guard, find: (name: string) => Repository | undefined): { repo: Repository; changes: Partial<ChangeableAttributes> } | Reply {
  const refused = guard(ctx, repoScope(name, 'metadata_write'));
  if (refused) return refused;
  const repo = find(name);
  if (!repo) return nameUnknown(name);
  const changes = changesOf(ctx.body);
  if (typeof changes === 'string') return acrErrors(400, 'BAD_REQUEST', `invalid changeableAttributes: ${changes}`);
  return { repo, changes };
}

export interface AttributeViews {
  repository(repo: Repository): Record<string, unknown>;
  manifest(repo: Repository, digest: string): Record<string, unknown>;
  tag(repo: Repository, tag: string): Record<string, unknown>;
}

export class AttributeRoutes {
  constructor(
    private readonly find: (name: string) => Repository | undefined,
    private readonly guard: Guard,
    private readonly views: AttributeViews,
  ) {}

  repository = (ctx: RequestContext): Reply => {
    const ready = prepare(ctx, param(ctx, 0), this.guard, this.find);
    if ('status' in ready) return ready;
    Object.assign(ready.repo, ready.changes);
    return jsonReply(200, this.views.repository(ready.repo));
  };

  manifest = (ctx: RequestContext): Reply => {
    const digest = param(ctx, 1);
    const ready = prepare(ctx, param(ctx, 0), this.guard, this.find);
    if ('status' in ready) return ready;
    const m = ready.repo.manifests.get(digest);
    if (!m) return acrErrors(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { digest });
    if (!ready.repo.writeEnabled) return disallowed();
    Object.assign(m, ready.changes);
    return jsonReply(200, this.views.manifest(ready.repo, digest));
  };

  tag = (ctx: RequestContext): Reply => {
    const tagName = param(ctx, 1);
    const ready = prepare(ctx, param(ctx, 0), this.guard, this.find);
    if ('status' in ready) return ready;
    const tag = ready.repo.tags.get(tagName);
    if (!tag) return acrErrors(404, 'TAG_UNKNOWN', 'the specified tag does not exist', { name: tagName });
    if (!ready.repo.writeEnabled) return disallowed();
    Object.assign(tag, ready.changes);
    return jsonReply(200, this.views.tag(ready.repo, tagName));
  };
}
