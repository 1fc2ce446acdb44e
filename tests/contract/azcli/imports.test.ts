/**
 * az 2.45's imports, replayed in the order az ran them into one dstreg (the order the
 * recorded tags' times show), then az's two reads of the target. Each checks what az reads
 * (importSteps.ts) and the emulator's state afterwards: which tags point at which digest.
 * Imports run until the test lands them (completeImports) where az waited its Retry-After.
 *
 * Where Azure answers otherwise than the stand-in, Azure's answer is asserted:
 * `acr-import-login-server-not-in-subscription` sends `registryUri` with no credentials; an
 * ACR source then refuses the anonymous pull (Azure/acr#196), so the operation fails at its
 * first poll and az would exit 1 there (the stand-in let it succeed). The target therefore
 * lacks the `app:1.1-b` the stand-in's `show-tags` printed.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import { AzReplay, assertRecordedStatuses, azFixture, command, isImportPost, recording } from './azReplay';
import { assertAccepted, assertImportLookups, landBeforeSecondPoll, pollStatuses, standInDigests, useStandInDigests } from './importSteps';

describe('contract: az 2.45 imports, in the order az ran them', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: azFixture(), importRetryAfterSeconds: 1, importDurationMs: 600_000 });
  });
  after(() => em.stop());

  const src = (repo: string, tag: string): string | undefined => em.registry('srcreg').tags(repo).get(tag);
  const srcb = (tag: string): string | undefined => em.registry('srcregb').tags('app').get(tag);
  const dst = (repo: string): Map<string, string> => em.registry('dstreg').tags(repo);

  /** Replays an import az waited for: lookups, POST 202, a running poll, the import lands, a Succeeded poll. */
  async function importAndWait(name: string): Promise<void> {
    const az = useStandInDigests(await new AzReplay(em).signIn());
    const steps = await az.replay(recording(name), landBeforeSecondPoll(em));
    assertRecordedStatuses(steps);
    assertImportLookups(em, steps);
    const post = steps.find((s) => isImportPost(s.x));
    assert.ok(post);
    assertAccepted(em, post);
    assert.deepEqual(pollStatuses(steps), [202, 200]);
    assert.deepEqual(steps[steps.length - 1].res.json(), { status: 'Succeeded' });
  }

  it('acr-import: --source <login server>/app:1.0 lands app:1.0', async function () {
    await importAndWait('acr-import');
    assert.equal(dst('app').get('1.0'), src('app', '1.0'));
  });

  it('acr-import-cross-subscription-resource-id-digest: --registry <B’s id> --source app@<digest> lands app:1.0-b, no lookup of the source', async function () {
    await importAndWait('acr-import-cross-subscription-resource-id-digest');
    assert.equal(dst('app').get('1.0-b'), srcb('1.0'));
  });

  it('acr-import-registry-name-same-subscription: --registry srcreg (found by name in A’s list) lands app:1.1', async function () {
    await importAndWait('acr-import-registry-name-same-subscription');
    assert.equal(dst('app').get('1.1'), src('app', '1.1'));
  });

  it('acr-import-registry-name-other-subscription-fails: A’s list has no srcregb by name or login server, so az stops (exit 1)', async function () {
    const steps = await (await new AzReplay(em).signIn()).replay(recording('acr-import-registry-name-other-subscription-fails'));
    assertRecordedStatuses(steps);
    assert.equal(command('acr-import-registry-name-other-subscription-fails').exit_code, 1);
    const listed = steps[2].res.json<{ value: { name: string; properties: { loginServer: string } }[]; nextLink?: string }>();
    assert.equal(listed.nextLink, undefined, 'one page: az saw the whole list');
    const b = em.registry('srcregb');
    assert.ok(!listed.value.some((r) => r.name.toLowerCase() === 'srcregb' || r.properties.loginServer === b.loginServer));
  });

  it('acr-import-login-server-not-in-subscription: registryUri without credentials is accepted, then fails at the first poll (Azure’s answer, not the stand-in’s)', async function () {
    const az = await new AzReplay(em).signIn();
    const exchanges = recording('acr-import-login-server-not-in-subscription');
    // az stops at the failed poll: the recorded second poll is not sent.
    const steps = await az.replay(exchanges.slice(0, 5));
    assertImportLookups(em, steps);
    const listed = steps[2].res.json<{ value: { properties: { loginServer: string } }[] }>().value;
    assert.ok(!listed.some((r) => r.properties.loginServer === em.registry('srcregb').loginServer), 'why az falls back to registryUri');
    assertAccepted(em, steps[3]);
    const failed = steps[4];
    assert.equal(failed.res.status, 400);
    const error = failed.res.json<{ error: { code: string; message: string } }>().error;
    assert.equal(error.code, 'InvalidParameters');
    assert.match(error.message, /Unauthorized .*UNAUTHORIZED/);
    assert.equal(dst('app').get('1.1-b'), undefined);
  });

  it('acr-import-digest-without-image: targetTags ["app"] for a digest lands app:latest (the spec: no tag → latest)', async function () {
    await importAndWait('acr-import-digest-without-image');
    assert.equal(dst('app').get('latest'), srcb('1.0'));
  });

  it('acr-import-force-multi-tag-with-resource-group: -g skips the resources list; Force moves app:latest, adds mirror/app:latest', async function () {
    await importAndWait('acr-import-force-multi-tag-with-resource-group');
    assert.equal(dst('app').get('latest'), src('app', 'latest'));
    assert.equal(dst('mirror/app').get('latest'), src('app', 'latest'));
  });

  it('acr-import-untagged-repository: --repository app-untagged copies the manifest without a tag', async function () {
    await importAndWait('acr-import-untagged-repository');
    const digest = src('app', '1.1') ?? '';
    assert.ok(em.registry('dstreg').hasManifest('app-untagged', digest));
    assert.equal(dst('app-untagged').size, 0);
  });

  it('acr-import-no-wait: the POST alone; the import lands all the same', async function () {
    const steps = await (await new AzReplay(em).signIn()).replay(recording('acr-import-no-wait'));
    assertRecordedStatuses(steps);
    assertImportLookups(em, steps);
    assertAccepted(em, steps[3]);
    assert.equal(dst('big').get('t001'), undefined);
    assert.equal(em.completeImports(), 1);
    assert.equal(dst('big').get('t001'), src('big', 't001'));
  });

  it('acr-repository-list-dst-after-import: the target’s repositories, as az printed them', async function () {
    const steps = await (await new AzReplay(em).signIn()).replay(recording('acr-repository-list-dst-after-import'));
    assertRecordedStatuses(steps);
    assert.deepEqual(steps[steps.length - 1].res.json<{ repositories: string[] }>().repositories, command('acr-repository-list-dst-after-import').stdout);
  });

  it('acr-repository-show-tags-dst-after-import: each tag on the digest az printed (the stand-in’s, translated), but no app:1.1-b', async function () {
    const steps = await (await new AzReplay(em).signIn()).replay(recording('acr-repository-show-tags-dst-after-import'));
    assertRecordedStatuses(steps);
    const ours = new Map(steps[steps.length - 1].res.json<{ tags: { name: string; digest: string }[] }>().tags.map((t) => [t.name, t.digest]));
    const digests = standInDigests(em);
    const printed = (command('acr-repository-show-tags-dst-after-import').stdout as { name: string; digest: string }[]).filter((t) => t.name !== '1.1-b');
    assert.deepEqual(ours, new Map(printed.map((t) => [t.name, digests.get(t.digest)])));
    assert.deepEqual(ours, dst('app'));
  });
});
