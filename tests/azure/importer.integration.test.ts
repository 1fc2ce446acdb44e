/**
 * importImage through the real SDK client and its long-running-operation poller, against the
 * emulator: a cross-subscription copy pinned by digest, both shapes of a failed operation,
 * and a refused import with its message redacted.
 */
import { strict as assert } from 'node:assert';
import { createArmClient } from '../../src/azure/arm/armClient';
import type { Connection } from '../../src/azure/connect';
import { ImportFailure } from '../../src/engine/ports';
import { connectSrcToDst, principal, startHarness, SUB_A, SUB_B, TENANT, type Harness } from './support/emulatorHarness';

const SYNCER = 'c11e47a1-0000-4000-8000-0000000000c1';
const OUTSIDER = 'c11e47a1-0000-4000-8000-0000000000c2';
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('azure/armImporter (emulator)', function () {
  this.timeout(60_000);
  let h: Harness;
  let conn: Connection;

  before(async () => {
    h = await startHarness({
      importRetryAfterSeconds: 0,
      // Several polls at the importer's 50 ms interval find it running before it lands.
      importDurationMs: 300,
      fixture: {
        principals: [
          principal(SYNCER, [
            // Reader finds the source and lets the import read it; AcrPull lists its tags.
            { role: 'Reader', scope: `/subscriptions/${SUB_A}` },
            { role: 'AcrPull', scope: `/subscriptions/${SUB_A}` },
            { role: 'Container Registry Data Importer and Data Reader', scope: `/subscriptions/${SUB_B}` },
          ]),
          principal(OUTSIDER, [
            { role: 'Reader', scope: `/subscriptions/${SUB_A}` },
            { role: 'Reader', scope: `/subscriptions/${SUB_B}` },
          ]),
        ],
        subscriptions: [
          {
            id: SUB_A,
            tenantId: TENANT,
            registries: [
              {
                name: 'srcreg',
                resourceGroup: 'src-rg',
                repositories: {
                  'team/app': {
                    '1.0': { content: { kind: 'image', seed: 'app-1' } },
                    '2.0': { content: { kind: 'index', seed: 'app-2', platforms: ['linux/amd64', 'linux/arm64'] } },
                  },
                },
              },
            ],
          },
          {
            id: SUB_B,
            tenantId: TENANT,
            registries: [{ name: 'dstreg', resourceGroup: 'dst-rg', repositories: { 'team/app': { taken: { content: { kind: 'image', seed: 'other' } } } } }],
          },
        ],
      },
    });
    conn = await connectSrcToDst(h, SYNCER, { importer: { pollIntervalMs: 50 } });
  });
  after(async () => h?.stop());
  beforeEach(() => h.emulator.log.clear());
  afterEach(() => h.emulator.clearFaults());

  it('copies across subscriptions by digest, all tags of one digest in one import', async () => {
    const digest = h.emulator.registry('srcreg').tags('team/app').get('2.0')!;
    await conn.ports.importer.importImage({ sourceRepository: 'team/app', targetRepository: 'team/app', sourceDigest: digest, targetTags: ['2.0', 'stable', 'latest'], mode: 'NoForce' });

    const target = h.emulator.registry('dstreg');
    const tags = target.tags('team/app');
    for (const tag of ['2.0', 'stable', 'latest']) assert.equal(tags.get(tag), digest, tag);
    assert.ok(target.hasManifest('team/app', digest));

    assert.equal(h.emulator.log.count('arm.importImage'), 1, 'one import for three tags');
    assert.ok(h.emulator.log.count('arm.importImage.poll') >= 2, 'the operation was polled until done');
    const posted = h.emulator.log.entries().find((e) => e.route === 'arm.importImage')?.body as {
      source: { resourceId: string; sourceImage: string };
      targetTags: string[];
      mode: string;
    };
    assert.equal(posted.source.sourceImage, `team/app@${digest}`);
    assert.equal(posted.source.resourceId.toLowerCase(), conn.source.id.toLowerCase());
    assert.deepEqual(posted.targetTags, ['team/app:2.0', 'team/app:stable', 'team/app:latest']);
    assert.equal(posted.mode, 'NoForce');
  });

  it('waits out ARM throttling (429 + Retry-After) on the import request', async () => {
    h.emulator.addFault({ route: 'arm.importImage', kind: 'status', status: 429, retryAfterSeconds: 1, body: { error: { code: 'TooManyRequests', message: 'slow down' } } });
    const digest = h.emulator.registry('srcreg').tags('team/app').get('1.0')!;
    const started = Date.now();
    await conn.ports.importer.importImage({ sourceRepository: 'team/app', targetRepository: 'team/app', sourceDigest: digest, targetTags: ['throttled'], mode: 'NoForce' });
    assert.ok(Date.now() - started >= 950);
    assert.equal(h.emulator.log.count('arm.importImage', 429), 1);
    assert.equal(h.emulator.registry('dstreg').tags('team/app').get('throttled'), digest);
  });

  for (const style of ['httpError', 'bodyStatus'] as const) {
    it(`detects a failed operation answered as ${style} with the service's code and message`, async () => {
      h.emulator.setImportFailureStyle(style);
      h.emulator.addFault({ route: 'arm.importImage', kind: 'importFails', code: 'InvalidParameters', message: 'Error copying blobs: the source answered 429 TOOMANYREQUESTS.', status: 409 });
      const digest = h.emulator.registry('srcreg').tags('team/app').get('1.0')!;
      await assert.rejects(
        conn.ports.importer.importImage({ sourceRepository: 'team/app', targetRepository: 'team/app', sourceDigest: digest, targetTags: ['1.0-' + style], mode: 'NoForce' }),
        (e: unknown) => {
          assert.ok(e instanceof ImportFailure, String(e));
          assert.equal(e.code, 'InvalidParameters');
          assert.equal(e.message, 'InvalidParameters: Error copying blobs: the source answered 429 TOOMANYREQUESTS.');
          return true;
        },
      );
      assert.equal(h.emulator.registry('dstreg').tags('team/app').has('1.0-' + style), false);
    });
  }

  it('(why the outcome recorder exists) the bare SDK poller takes 200 {"status":"Failed"} for success', async () => {
    h.emulator.setImportFailureStyle('bodyStatus');
    h.emulator.addFault({ route: 'arm.importImage', kind: 'importFails', code: 'InvalidParameters', message: 'Error copying blobs.' });
    const bare = createArmClient(h.credentialFor(SYNCER), SUB_B, h.cloud, h.transport);
    const digest = h.emulator.registry('srcreg').tags('team/app').get('1.0')!;
    await bare.registries
      .importImage('dst-rg', 'dstreg', { source: { resourceId: conn.source.id, sourceImage: `team/app@${digest}` }, targetTags: ['team/app:bare'], mode: 'NoForce' }, { updateIntervalInMs: 50 })
      .pollUntilDone();
    assert.equal(h.emulator.registry('dstreg').tags('team/app').has('bare'), false, 'nothing was imported, yet the SDK resolved');
  });

  it('reports the service refusing a NoForce import over an existing tag', async () => {
    h.emulator.setImportFailureStyle('bodyStatus');
    const digest = h.emulator.registry('srcreg').tags('team/app').get('1.0')!;
    await assert.rejects(
      conn.ports.importer.importImage({ sourceRepository: 'team/app', targetRepository: 'team/app', sourceDigest: digest, targetTags: ['taken'], mode: 'NoForce' }),
      (e: unknown) => e instanceof ImportFailure && typeof e.code === 'string' && e.message.length > 0 && !GUID.test(e.message),
    );
    assert.notEqual(h.emulator.registry('dstreg').tags('team/app').get('taken'), digest);
    // Force overwrites it.
    await conn.ports.importer.importImage({ sourceRepository: 'team/app', targetRepository: 'team/app', sourceDigest: digest, targetTags: ['taken'], mode: 'Force' });
    assert.equal(h.emulator.registry('dstreg').tags('team/app').get('taken'), digest);
  });

  it('turns 403 AuthorizationFailed into one redacted line with the code', async () => {
    // Past the preflight, which would refuse this identity before any import.
    const weak = await connectSrcToDst(h, OUTSIDER, { preflight: false });
    const digest = h.emulator.registry('srcreg').tags('team/app').get('1.0')!;
    await assert.rejects(weak.ports.importer.importImage({ sourceRepository: 'team/app', targetRepository: 'team/app', sourceDigest: digest, targetTags: ['x'], mode: 'NoForce' }), (e: unknown) => {
      assert.ok(e instanceof ImportFailure);
      assert.equal(e.code, 'AuthorizationFailed');
      assert.match(e.message, /^AuthorizationFailed: /);
      assert.match(e.message, /Microsoft\.ContainerRegistry\/registries\/importImage\/action/);
      assert.doesNotMatch(e.message, GUID);
      assert.ok(!e.message.includes('/subscriptions/'), e.message);
      return true;
    });
    assert.equal(h.emulator.log.count('arm.importImage.poll'), 0);
  });

  it('never imports by tag', async () => {
    await assert.rejects(
      conn.ports.importer.importImage({ sourceRepository: 'team/app', targetRepository: 'team/app', sourceDigest: '1.0', targetTags: ['1.0'], mode: 'NoForce' }),
      (e: unknown) => e instanceof ImportFailure && e.code === 'InvalidDigest',
    );
    assert.equal(h.emulator.log.count('arm.importImage'), 0);
  });
});
