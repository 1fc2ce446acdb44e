/**
 * An endpoint's authorization (`ENDPOINT_AUTH_<id>`: scheme and parameters) read without ever
 * echoing it: task-lib logs only whether it exists, but on malformed JSON its error message
 * quotes the whole value — secrets included — so that error is replaced here.
 */
import * as tl from 'azure-pipelines-task-lib/task';

export type EndpointAuthorizationRead = { found: false } | { found: true; auth?: tl.EndpointAuthorization };

export function readEndpointAuthorization(id: string): EndpointAuthorizationRead {
  try {
    const auth = tl.getEndpointAuthorization(id, true);
    return auth === undefined ? { found: false } : { found: true, auth };
  } catch {
    // Present but unreadable: the caller decides; the value stays unsaid.
    return { found: true };
  }
}
