/**
 * The shapes of the distribution API answers the OCI reader relies on (answerShapes.ts holds
 * the ACR ones and the catalog and referrers shapes both share), each with what is read from it.
 */
import type { AnswerShape, ReadResult } from '../dataplane/answerShapes';

const ok = <T>(value: T): ReadResult<T> => ({ ok: true, value });
const wrong = <T>(problem: string): ReadResult<T> => ({ ok: false, problem });

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `GET /v2/{name}/tags/list`: `{"name": "…", "tags": ["…", …] | null}`. Distribution answers
 * `null` for a repository whose tags were all deleted; a missing list is a proxy's `{}`.
 */
export const TAG_NAMES_PAGE: AnswerShape<string[]> = {
  description: 'a tag listing',
  read: (body) => {
    if (!isObject(body)) return wrong('it is not a JSON object');
    if (!('tags' in body)) return wrong('it has no "tags"');
    const tags = body.tags;
    if (tags === null) return ok([]);
    if (!Array.isArray(tags)) return wrong('"tags" is not a list');
    for (const [i, tag] of tags.entries()) if (typeof tag !== 'string' || tag === '') return wrong(`tags[${i}] is not a tag name`);
    return ok(tags as string[]);
  },
};

/** A manifest: how many manifests it references (`manifests[]` of an OCI index or Docker list; 0 for anything else). */
export const MANIFEST_REFERENCES: AnswerShape<number> = {
  description: 'a manifest',
  read: (body) => {
    if (!isObject(body)) return wrong('it is not a JSON object');
    const manifests = body.manifests;
    if (manifests === undefined || manifests === null) return ok(0);
    return Array.isArray(manifests) ? ok(manifests.length) : wrong('"manifests" is not a list');
  },
};

/**
 * A token realm's answer (distribution's token.md): `{"token": "…"}` or the OAuth2 form
 * `{"access_token": "…"}` (both are sent by some), with `expires_in` seconds (default 60).
 */
export const REALM_TOKEN_ANSWER: AnswerShape<{ token: string; expiresInSeconds?: number }> = {
  description: 'a token answer',
  read: (body) => {
    if (!isObject(body)) return wrong('it is not a JSON object');
    const token = typeof body.token === 'string' && body.token !== '' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') return wrong('it has no "token" or "access_token"');
    const expiresIn = body.expires_in;
    const known = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0;
    return ok({ token, ...(known ? { expiresInSeconds: expiresIn } : {}) });
  },
};
