/**
 * Data-plane failures as one redacted line. ACR answers `{"errors":[{"code","message"}]}`;
 * the line keeps the code and message and adds which call failed, never a token.
 */
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import { redactText, serviceErrorOf } from '../redact';

export class AcrRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'AcrRequestError';
  }
}

/** The service's error code of a data-plane answer (`NAME_UNKNOWN`, `UNAUTHORIZED`, …). */
export function acrErrorCode(response: PipelineResponse): string | undefined {
  return serviceErrorOf(parseBody(response.bodyAsText))?.code;
}

/** What a refused read of a registry's content means for the user: a missing role. */
export const READ_ACCESS_HINT = 'the identity needs AcrPull (or Reader) on the registry to read it';
/**
 * The same in the attribute-based repository permission mode, where AcrPull is not honoured and
 * listing the catalog is a role of its own (learn.microsoft.com, container-registry-rbac-abac-
 * repository-permissions; decision 010).
 */
export const ABAC_READ_ACCESS_HINT =
  'the registry uses attribute-based repository permissions, where AcrPull is not honoured: the identity needs ' +
  'Container Registry Repository Catalog Lister and Container Registry Repository Reader on the registry to read it';

/** The hint for a registry in its role assignment mode (see RegistryRef.roleAssignmentMode). */
export function readAccessHint(abacMode: boolean): string {
  return abacMode ? ABAC_READ_ACCESS_HINT : READ_ACCESS_HINT;
}

/**
 * `<what> failed (HTTP <status>): <CODE>: <message>`, redacted. With `accessHint` (its text), a
 * 401 or 403 (which the registry gives only after the token dance, so the identity's token
 * lacked the scope) says which role is missing.
 */
export function acrErrorFrom(response: PipelineResponse, what: string, options: { accessHint?: string } = {}): AcrRequestError {
  const service = serviceErrorOf(parseBody(response.bodyAsText));
  const detail = service?.message ?? service?.code ?? (response.bodyAsText ? response.bodyAsText.slice(0, 200) : 'no details');
  const refused = options.accessHint !== undefined && (response.status === 401 || response.status === 403);
  const message = redactText(`${what} failed (HTTP ${response.status}): ${detail}${refused ? `; ${options.accessHint}` : ''}`);
  return new AcrRequestError(message, response.status, service?.code);
}

export function parseBody(text: string | null | undefined): unknown {
  if (text === undefined || text === null || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
