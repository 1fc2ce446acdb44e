/**
 * Small pieces every data-plane route module shares: path parameters, repository scopes and
 * ACR's common refusals.
 */
import { acrErrors, type AccessScope } from './acrAuth';
import type { Reply, RequestContext } from './http';

/** A manifest or blob digest as the emulator stores them. */
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

export const repoScope = (name: string, ...actions: string[]): AccessScope => ({ type: 'repository', name, actions });

/** A path parameter, decoded: repository names arrive URL-encoded (%2F) or with raw slashes. */
export const param = (ctx: RequestContext, i: number): string => decodeURIComponent(ctx.params[i] ?? '');

export function nameUnknown(repository: string): Reply {
  return acrErrors(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name: repository });
}

export const disallowed = (): Reply => acrErrors(405, 'REGISTRY_DISALLOWED_OPERATION', 'The operation is disallowed on this registry, repository or image.');

/** Lets a request through, or answers the challenge for what it needs (acrAuth.authorize). */
export type Guard = (ctx: RequestContext, scope: AccessScope) => Reply | undefined;
