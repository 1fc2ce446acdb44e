/**
 * The answer check against what real registries sent: every recorded 200 answer the client
 * reads (catalog, tag and manifest listings, a manifest's attributes, both token answers), with
 * its recorded headers and body, goes through the real data-plane pipeline and must be
 * accepted and read as it says; so must the REST spec's examples (which carry no headers: the
 * spec says they are application/json) and the recorded empty catalog, `{"repositories": null}`.
 */
import { strict as assert } from 'node:assert';
import { createHttpHeaders, createPipelineRequest, type HttpClient } from '@azure/core-rest-pipeline';
import { createDataPlanePipeline } from '../../src/azure/dataplane/acrPipeline';
import { sendExpecting } from '../../src/azure/dataplane/answerCheck';
import {
  ACCESS_TOKEN_ANSWER,
  CATALOG_PAGE,
  MANIFEST_ATTRIBUTES,
  MANIFEST_PAGE,
  REFRESH_TOKEN_ANSWER,
  TAG_PAGE,
  type AnswerShape,
} from '../../src/azure/dataplane/answerShapes';
import { createTransport } from '../../src/azure/http/transport';
import { readContract, type Recording } from './support';

const RECORDINGS = [
  'js_list_repositories_by_pages.json',
  'js_list_tags_by_pages.json',
  'js_list_manifests.json',
  'js_list_manifests_by_pages.json',
  'js_get_tag_then_manifest_properties.json',
  'js_get_manifest_v2_excerpt.json',
];

/** The shape the client expects of an answer at this path, or undefined for one it does not read. */
function shapeFor(path: string): AnswerShape<unknown> | undefined {
  if (path === '/acr/v1/_catalog') return CATALOG_PAGE;
  if (path === '/oauth2/exchange') return REFRESH_TOKEN_ANSWER;
  if (path === '/oauth2/token') return ACCESS_TOKEN_ANSWER;
  if (/^\/acr\/v1\/[^/]+\/_tags$/.test(path)) return TAG_PAGE;
  if (/^\/acr\/v1\/[^/]+\/_manifests$/.test(path)) return MANIFEST_PAGE;
  if (/^\/acr\/v1\/[^/]+\/_manifests\/[^/]+$/.test(path)) return MANIFEST_ATTRIBUTES;
  return undefined;
}

/** Sends one request through the data-plane pipeline to an HTTP client that answers as recorded. */
async function readAsRecorded<T>(shape: AnswerShape<T>, headers: Record<string, string | string[]>, body: unknown): Promise<T | undefined> {
  const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
  const http: HttpClient = {
    sendRequest: (request) => Promise.resolve({ request, status: 200, headers: createHttpHeaders(flat), bodyAsText: typeof body === 'string' ? body : JSON.stringify(body) }),
  };
  const pipeline = createDataPlanePipeline(createTransport({ retry: { maxRetries: 0 } }));
  const { value } = await sendExpecting(pipeline, http, createPipelineRequest({ url: 'https://myregistry.azurecr.io/recorded' }), shape);
  return value;
}

describe('contract: the answer check accepts every recorded real answer', function () {
  for (const file of RECORDINGS) {
    it(`recordings/${file}`, async () => {
      const recording = readContract<Recording>(`recordings/${file}`);
      let read = 0;
      for (const entry of recording.Entries) {
        const shape = shapeFor(new URL(entry.RequestUri).pathname.replace(/%2F/gi, '~'));
        if (entry.StatusCode !== 200 || shape === undefined) continue;
        const value = await readAsRecorded(shape, entry.ResponseHeaders, entry.ResponseBody);
        assert.notEqual(value, undefined, `${entry.RequestMethod} ${entry.RequestUri}`);
        read++;
      }
      assert.ok(read > 0, `${file}: no answer the client reads`);
    });
  }

  it('recordings: what the client reads is what was recorded', async () => {
    const catalog = readContract<Recording>('recordings/js_list_repositories_by_pages.json').Entries.filter((e) => e.StatusCode === 200 && e.RequestUri.includes('/_catalog'));
    const names = await Promise.all(catalog.map((e) => readAsRecorded(CATALOG_PAGE, e.ResponseHeaders, e.ResponseBody)));
    assert.deepEqual(names, [['library/busybox'], ['library/hello-world']]);
    const tagsEntry = readContract<Recording>('recordings/js_list_tags_by_pages.json').Entries.find((e) => e.StatusCode === 200 && e.RequestUri.includes('/_tags'));
    const tags = await readAsRecorded(TAG_PAGE, tagsEntry?.ResponseHeaders ?? {}, tagsEntry?.ResponseBody);
    // lastUpdateTime as recorded, "2023-03-02T23:15:59.8012764Z": seven fractional digits, read to the millisecond.
    assert.deepEqual(tags, [
      { name: 'latest', digest: 'sha256:6e8b6f026e0b9c419ea0fd02d3905dd0952ad1feea67543f525c73a0a790fefb', writeEnabled: true, lastUpdated: Date.UTC(2023, 2, 2, 23, 15, 59, 801) },
    ]);
    const attributes = readContract<Recording>('recordings/js_get_tag_then_manifest_properties.json').Entries.find((e) => e.StatusCode === 200 && e.RequestUri.includes('/_manifests/'));
    assert.equal(await readAsRecorded(MANIFEST_ATTRIBUTES, attributes?.ResponseHeaders ?? {}, attributes?.ResponseBody), 11);
  });

  it('the empty catalog of a real registry, {"repositories": null}, is no repositories', async () => {
    assert.deepEqual(await readAsRecorded(CATALOG_PAGE, { 'Content-Type': 'application/json; charset=utf-8' }, '{"repositories": null}'), []);
  });

  const examples: [string, AnswerShape<unknown>][] = [
    ['GetRepositoryList.json', CATALOG_PAGE],
    ['GetTagList.json', TAG_PAGE],
    ['GetManifestList.json', MANIFEST_PAGE],
    ['GetManifestAttributes.json', MANIFEST_ATTRIBUTES],
    ['PostRefreshToken.json', REFRESH_TOKEN_ANSWER],
    ['PostAccessToken.json', ACCESS_TOKEN_ANSWER],
  ];
  for (const [file, shape] of examples) {
    it(`dataplane/${file} (REST spec example)`, async () => {
      const example = readContract<{ responses: { 200: { body: unknown } } }>(`dataplane/${file}`);
      const value = await readAsRecorded(shape, { 'Content-Type': 'application/json' }, example.responses[200].body);
      assert.notEqual(value, undefined);
    });
  }
});
