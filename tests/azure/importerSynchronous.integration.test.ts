/**
 * importImage answered on the POST itself: the REST spec's 200 ("Azure operation completed
 * successfully"), which Azure/acr#636 reports for small images, and a failure answered the
 * same way. The importer must take the first as done without polling and the second as an
 * ImportFailure with the service's code and a redacted message.
 */
import { strict as assert } from 'node:assert';
import type { Connection } from '../../src/azure/connect';
import { ImportFailure } from '../../src/engine/ports';
import { connectSrcToDst, principal, startHarness, SUB_A, SUB_B, srcToDst, type Harness } from './support/emulatorHarness';

const SYNCER = 'c11e47a1-0000-4000-8000-0000000000d1';
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('azure/armImporter: synchronous answers (emulator)', function () {
  this.timeout(60_000);
  let h: Harness;
  let conn: Connection;

  before(async () => {
    h = await startHarness({
      // Every import is short enough to be answered on the POST.
      importSynchronousMs: 200,
      importDurationMs: 20,
      fixture: {
        principals: [
          principal(SYNCER, [
            { role: 'Reader', scope: `/subscriptions/${SUB_A}` },
            { role: 'AcrPull', scope: `/subscriptions/${SUB_A}` },
            { role: 'Container Registry Data Importer and Data Reader', scope: `/subscriptions/${SUB_B}` },
          ]),
        ],
        subscriptions: srcToDst({ app: { '1.0': { content: { kind: 'image', seed: 'a-1' } } } }, { app: { taken: { content: { kind: 'image', seed: 'other' } } } }),
      },
    });
    conn = await connectSrcToDst(h, SYNCER, { importer: { pollIntervalMs: 50 } });
  });
  after(async () => h?.stop());

  const digest = (): string => h.emulator.registry('srcreg').tags('app').get('1.0')!;

  it('takes a 200 on the POST as done: no poll, the tags are there', async () => {
    await conn.ports.importer.importImage({ sourceRepository: 'app', targetRepository: 'app', sourceDigest: digest(), targetTags: ['1.0', 'stable'], mode: 'NoForce' });
    const tags = h.emulator.registry('dstreg').tags('app');
    assert.equal(tags.get('1.0'), digest());
    assert.equal(tags.get('stable'), digest());
    assert.equal(h.emulator.log.count('arm.importImage.poll'), 0);
  });

  it('takes a failure answered on the POST as an ImportFailure with the service code, ids redacted', async () => {
    await assert.rejects(conn.ports.importer.importImage({ sourceRepository: 'app', targetRepository: 'app', sourceDigest: digest(), targetTags: ['taken'], mode: 'NoForce' }), (e: unknown) => {
      assert.ok(e instanceof ImportFailure, String(e));
      assert.equal(e.code, 'InvalidParameters');
      assert.match(e.message, /already exists in target registry/);
      assert.doesNotMatch(e.message, GUID);
      assert.ok(!e.message.includes('/subscriptions/'), e.message);
      return true;
    });
    assert.notEqual(h.emulator.registry('dstreg').tags('app').get('taken'), digest());
  });
});
