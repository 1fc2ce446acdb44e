/**
 * Records how an ARM long-running operation really ended.
 *
 * Why this exists: importImage answers 202 with a `Location` URL, and @azure/core-lro judges a
 * Location poll by its HTTP status alone. A poll answering `200 {"status":"Failed","error":…}`
 * therefore resolves the SDK's poller as a success (seen with @azure/arm-containerregistry 12
 * and with `az acr import`), and the body that says otherwise is thrown away. The SDK offers no
 * hook on poll responses (its poll requests carry only its own abort signal), so a pipeline
 * policy on the importer's client keeps the last answer of every URL an import asked to
 * watch. The importer learns those URLs from the initial 202 through the `onResponse` option
 * and reads the last recorded body once the poller has finished.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export interface RecordedPoll {
  status: number;
  body: unknown;
}

export interface OperationWatch {
  /** The most recent answer to a GET of any watched URL. */
  lastPoll(): RecordedPoll | undefined;
  /** Stops recording (call when the import is over). */
  dispose(): void;
}

export const operationOutcomePolicyName = 'acrTransferOperationOutcome';

export class OperationOutcomeRecorder {
  private readonly watches = new Set<Watch>();

  /** Add to the client as a perCall policy so it sees the answer after retries. */
  readonly policy: PipelinePolicy = {
    name: operationOutcomePolicyName,
    sendRequest: async (request, next) => {
      const response = await next(request);
      if (request.method === 'GET' && this.watches.size > 0) {
        for (const watch of this.watches) {
          if (watch.matches(request.url)) watch.record({ status: response.status, body: parseJson(response.bodyAsText) });
        }
      }
      return response;
    },
  };

  /**
   * Watches the operation URLs of one import (`Location`, `Azure-AsyncOperation`). Relative
   * URLs are resolved against `base` (the ARM endpoint), as the poller does.
   */
  watch(urls: readonly string[], base: string): OperationWatch {
    const watch = new Watch(urls.flatMap((u) => parseUrl(u, base) ?? []));
    this.watches.add(watch);
    return {
      lastPoll: () => watch.last,
      dispose: () => {
        this.watches.delete(watch);
      },
    };
  }
}

class Watch {
  last: RecordedPoll | undefined;

  constructor(private readonly urls: readonly URL[]) {}

  /**
   * Same origin and path, and every query value of the watched URL present unchanged: the
   * SDK's api-version policy may append `api-version` to a Location that lacks one.
   */
  matches(requestUrl: string): boolean {
    const actual = parseUrl(requestUrl);
    if (!actual) return false;
    return this.urls.some(
      (expected) =>
        expected.origin === actual.origin &&
        expected.pathname === actual.pathname &&
        [...expected.searchParams].every(([key, value]) => actual.searchParams.getAll(key).includes(value)),
    );
  }

  record(poll: RecordedPoll): void {
    this.last = poll;
  }
}

function parseUrl(url: string, base?: string): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}

function parseJson(text: string | null | undefined): unknown {
  if (text === undefined || text === null || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
