/**
 * Pipeline policy that authorizes data-plane requests with registry access tokens.
 *
 * Before sending, it derives the scope from the URL (scopes.ts) and attaches the token held
 * for it, so a known registry answers without a challenge. On a 401 it learns the challenge
 * (the first request to a registry goes out bare for exactly this), drops the token that was
 * refused, fetches one for the challenged scope and sends once more; a second 401 is returned
 * to the caller as the registry's answer. Requests to any other origin get no token.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { AcrTokenProvider } from './acrTokens';
import { parseBearerChallenge } from './challenge';
import { scopeForUrl } from './scopes';

export const acrAuthenticationPolicyName = 'acrTransferRegistryAuthentication';

export function acrAuthenticationPolicy(tokens: AcrTokenProvider): PipelinePolicy {
  return {
    name: acrAuthenticationPolicyName,
    async sendRequest(request, next) {
      if (!tokens.serves(request.url)) {
        request.headers.delete('Authorization');
        return next(request);
      }
      const scope = scopeForUrl(request.url);
      let sent: string | undefined;
      if (scope !== undefined && tokens.knowsChallenge) {
        sent = await tokens.accessToken(scope, request.abortSignal);
        request.headers.set('Authorization', `Bearer ${sent}`);
      }
      const response = await next(request);
      if (response.status !== 401) return response;

      const challenge = parseBearerChallenge(response.headers.get('WWW-Authenticate'));
      if (!challenge) return response;
      tokens.learn(challenge);
      const needed = challenge.scope ?? scope;
      if (needed === undefined) return response;
      if (sent !== undefined && scope !== undefined) tokens.invalidate(scope, sent);
      const token = await tokens.accessToken(needed, request.abortSignal);
      request.headers.set('Authorization', `Bearer ${token}`);
      return next(request);
    },
  };
}
