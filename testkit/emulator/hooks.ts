/**
 * `onRequest` hooks: code a test runs at the moment a request arrives, before it is answered
 * (move a source tag right after the first import POST, kill a client after N imports…).
 * Each hook counts its own matches (`nth`). With no hook registered, a request pays one
 * size check.
 */
import type { ArrivingRequest, RequestHook, RouteName } from './api';

interface HookEntry {
  routes: ReadonlySet<RouteName> | '*';
  hook: RequestHook;
  seen: number;
}

export class RequestHooks {
  private readonly hooks = new Set<HookEntry>();

  get size(): number {
    return this.hooks.size;
  }

  add(route: RouteName | readonly RouteName[] | '*', hook: RequestHook): () => void {
    const routes = route === '*' ? '*' : new Set<RouteName>(typeof route === 'string' ? [route] : route);
    const entry: HookEntry = { routes, hook, seen: 0 };
    this.hooks.add(entry);
    return () => {
      this.hooks.delete(entry);
    };
  }

  /** Whether any hook watches this route (so the caller can skip building the request view). */
  watches(route: RouteName): boolean {
    for (const h of this.hooks) if (h.routes === '*' || h.routes.has(route)) return true;
    return false;
  }

  /** Runs the matching hooks in the order they were added; waits for the ones that return a promise. */
  async fire(request: Omit<ArrivingRequest, 'nth'>): Promise<void> {
    for (const h of [...this.hooks]) {
      if (h.routes !== '*' && !h.routes.has(request.route)) continue;
      h.seen += 1;
      try {
        await h.hook({ ...request, nth: h.seen });
      } catch (error) {
        process.stderr.write(`emulator onRequest hook for ${request.route} failed: ${String((error as Error)?.stack ?? error)}\n`);
      }
    }
  }
}
