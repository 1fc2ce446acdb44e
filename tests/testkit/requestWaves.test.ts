/**
 * The wave count shared by the start-chain test and the benchmark (testkit/emulator/requestWaves.ts),
 * on hand-made logs: requests sent together share a wave, one that arrived after another
 * finished is a wave later, and the start ends at the first listing.
 */
import { strict as assert } from 'node:assert';
import type { LoggedRequest, RouteName } from '../../testkit/emulator/api';
import { requestWaves, startChain } from '../../testkit/emulator/requestWaves';

let seq = 0;
const at = (route: RouteName, startedAt: number, finishedAt: number): LoggedRequest => ({ seq: ++seq, service: 's', route, method: 'GET', url: '/', status: 200, startedAt, finishedAt });

describe('testkit/requestWaves', function () {
  it('counts the waves before the first listing; requests in flight together share one', function () {
    const log = [
      at('entra.openid', 0, 400),
      at('entra.token', 401, 800),
      at('entra.token', 403, 801), // sent together with the other token request
      at('arm.registries.list', 802, 1200),
      at('acr.catalog', 1201, 1600),
      at('acr.tags', 1601, 2000),
    ];
    const waves = requestWaves(log);
    assert.deepEqual(log.map((e) => waves.get(e)), [1, 2, 2, 3, 4, 5]);
    const { roundTrips, chain } = startChain(log);
    assert.equal(roundTrips, 3);
    assert.deepEqual(chain, ['1 entra.openid 200', '2 entra.token 200', '2 entra.token 200', '3 arm.registries.list 200']);
  });

  it('a request that arrives 1 ms after another finished is chained to it: why the figure needs a latency far above the spread of arrivals', function () {
    const log = [at('entra.openid', 0, 20), at('entra.token', 21, 41), at('entra.token', 21, 41), at('arm.permissions', 42, 62), at('acr.catalog', 63, 83)];
    assert.equal(startChain(log).roundTrips, 3);
    // The same, but the second token request arrived 1 ms after the first one was answered.
    const late = [at('entra.openid', 0, 20), at('entra.token', 21, 41), at('entra.token', 42, 62), at('arm.permissions', 63, 83), at('acr.catalog', 84, 104)];
    assert.equal(startChain(late).roundTrips, 4);
  });

  it('no listing: no figure', function () {
    assert.equal(startChain([at('entra.openid', 0, 10)]).roundTrips, undefined);
  });
});
