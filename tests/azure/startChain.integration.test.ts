/**
 * The start of a run, counted in sequential round trips ("waves") before the first listing
 * (issue 15: sign-in, lookup, preflight and token exchanges in as few waves as possible).
 *
 * A request is in a later wave than every request that had finished (at the emulator) before
 * it arrived (testkit/emulator/requestWaves.ts, shared with the benchmark). With a latency
 * of several hundred milliseconds per request, requests that go out together arrive within a
 * few milliseconds of each other, so only the order of start and end times is compared, never
 * a duration.
 */
import { strict as assert } from 'node:assert';
import { customizeCloud } from '../../src/azure/cloud';
import { createTransport } from '../../src/azure/http/transport';
import type { LoggedRequest, TokenRequestRecord } from '../../testkit/emulator/api';
import { requestWaves as waves, startChain } from '../../testkit/emulator/requestWaves';
import { connectSrcToDst, srcToDst, startHarness, syncer, TENANT, type Harness } from './support/emulatorHarness';

const SYNCER = 'c11e47a1-0000-4000-8000-0000000015a1';
/** Long enough that requests sent together never look sequential on a loaded machine. */
const LATENCY_MS = 400;

/** Round trips before the first catalog or tag listing, and the chain as text for a failure message. */
function chainBeforeFirstListing(entries: readonly LoggedRequest[]): { roundTrips: number; chain: string; authorityDiscovery: number } {
  const { roundTrips, chain, authorityDiscovery } = startChain(entries);
  assert.ok(roundTrips !== undefined, `no listing was made: ${entries.map((e) => e.route).join(' ')}`);
  return { roundTrips, chain: chain.join('\n'), authorityDiscovery };
}

describe('azure/start chain (emulator)', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({
      fixture: { principals: [syncer(SYNCER)], subscriptions: srcToDst({ app: { v1: { content: { kind: 'image', seed: 'a' } } } }) },
    });
    h.emulator.setLatency(LATENCY_MS);
  });
  after(async () => h?.stop());

  it('reaches the first listing in 5 sequential round trips, 4 but for the emulator authority’s discovery, with no /v2/ probe', async () => {
    const connection = await connectSrcToDst(h, SYNCER);
    const names: string[] = [];
    for await (const name of connection.ports.source.listRepositories()) names.push(name);
    assert.deepEqual(names, ['app']);

    // The emulator logs a request once its response is flushed, which may come a moment after
    // the client has read it.
    while (h.emulator.log.count('acr.catalog') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const entries = h.emulator.log.entries();
    const { roundTrips, chain, authorityDiscovery } = chainBeforeFirstListing(entries);
    // openid discovery → Entra tokens (ARM and, asked ahead, the registry audience) →
    // registries list → permissions beside the registry token exchange → catalog token → catalog.
    assert.equal(roundTrips, 5, `the start's chain:\n${chain}`);
    // The first wave is the custom authority's openid-configuration alone, which MSAL never asks
    // Entra ID's public hosts (authorityDiscovery.test.ts): on Azure the start is 4.
    assert.equal(authorityDiscovery, 1, chain);
    assert.equal(roundTrips - authorityDiscovery, 4, chain);
    const wave = waves(entries);
    // Authority discovery only at the very start (the ARM clients of both sides ask at once):
    // the registry audience shares ARM's MSAL app (both CAE), so none comes later.
    const discoveries = entries.filter((e) => e.route === 'entra.openid');
    assert.ok(discoveries.length > 0 && discoveries.every((e) => wave.get(e) === 1), chain);
    // The target's registry token exchange goes in the source's wave, asked ahead: its first
    // listing then needs only an access token, asked beside the source's (next test).
    const exchangeWaves = entries.filter((e) => e.route === 'acr.exchange').map((e) => `${e.service} ${wave.get(e)}`);
    assert.deepEqual(exchangeWaves.sort(), ['acr:dstreg 4', 'acr:srcreg 4'], chain);
    // One identity for both sides: one ARM token for both registries' lookups, and the registry audience's.
    assert.equal(entries.filter((e) => e.route === 'entra.token').length, 2, chain);
    // Realm and service of an ACR found through ARM are known: no `/v2/` probe for a challenge.
    assert.equal(h.emulator.log.count('acr.v2'), 0);
    assert.ok(entries.every((e) => e.route !== 'entra.token' || (e.body as { tenantId?: string } | undefined)?.tenantId === TENANT));
  });

  it('lists the first repository of both registries in one wave, one access-token round trip after the catalog', async () => {
    h.emulator.log.clear();
    const connection = await connectSrcToDst(h, SYNCER);
    const { source, target } = connection.ports;
    const names: string[] = [];
    for await (const name of source.listRepositories()) names.push(name);
    source.expectRepositories?.(names);
    target.expectRepositories?.(names);
    await Promise.all([source.listTags('app'), target.listTags('app')]);
    while (h.emulator.log.count('acr.tags') < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const entries = h.emulator.log.entries();
    const wave = waves(entries);
    const waveOf = (route: string, service?: string): number[] => entries.filter((e) => e.route === route && (service === undefined || e.service === service)).map((e) => wave.get(e) ?? 0);
    const [catalog] = waveOf('acr.catalog');
    const text = entries.map((e) => `${wave.get(e)} ${e.service} ${e.route} ${e.status}`).sort().join('\n');
    assert.ok(catalog !== undefined, text);
    // Each side: its repository token in the wave after the catalog, its listing in the next.
    assert.deepEqual(waveOf('acr.tags', 'acr:srcreg'), [catalog + 2], text);
    assert.deepEqual(waveOf('acr.tags', 'acr:dstreg'), [catalog + 2], text);
    // The target's exchange was made ahead: nothing of the target's waits on it after the catalog.
    assert.ok(waveOf('acr.exchange', 'acr:dstreg').every((w) => w < catalog), text);
  });

  it('opens the listing’s connections to both registries ahead: the first listing wave opens none of its own', async () => {
    const transport = createTransport({ version: 'test', caPem: h.emulator.caPem });
    const opened = (): number[] => ['acr:srcreg', 'acr:dstreg'].map((service) => h.emulator.connectionsOpened(service));
    const before = opened();
    const connection = await connectSrcToDst(h, SYNCER, { transport, connectionsAhead: 4 });
    const { source, target } = connection.ports;
    const names: string[] = [];
    for await (const name of source.listRepositories()) names.push(name);
    source.expectRepositories?.(names);
    target.expectRepositories?.(names);
    // Opened while the run signed in (a run without them never gets here: the test times out).
    while (opened().some((n, i) => n - before[i] < 4)) await new Promise((resolve) => setTimeout(resolve, 10));
    const beforeListing = opened();
    // Four listings at once on each side, as the run's first wave: every one finds a connection.
    await Promise.all([source, target].flatMap((reader) => Array.from({ length: 4 }, () => reader.listTags('app'))));
    assert.deepEqual(opened(), beforeListing);
  });

  it('asks an audience Entra refuses once per registry, ahead for the source, and the exchange falls back to the ARM one', async () => {
    h.emulator.log.clear();
    const cloud = customizeCloud(h.cloud, { acrAudience: 'https://unknown-audience.example' });
    const connection = await connectSrcToDst(h, SYNCER, { cloud });
    const names: string[] = [];
    for await (const name of connection.ports.source.listRepositories()) names.push(name);
    assert.deepEqual(names, ['app']);
    const asked = h.emulator.log
      .entries()
      .filter((e) => e.route === 'entra.token')
      .map((e) => (e.body as TokenRequestRecord | undefined)?.scope ?? '');
    // Once for each registry's exchange: the target's, asked ahead too, has its own answer to find.
    assert.equal(asked.filter((scope) => scope.includes('unknown-audience.example')).length, 2, asked.join(', '));
    assert.ok(h.emulator.log.count('acr.exchange', 200) >= 1);
  });
});
