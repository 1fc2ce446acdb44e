/**
 * The `experiment-import-*` and `experiment-arm-list-paged-nextlink` recordings: the stand-in
 * varied its answers on purpose, but the requests are still az's. Where the emulator has the
 * matching knob, the test uses it and asserts what Azure does with it: a synchronous 200
 * (`importSynchronousMs`), several running polls (`importDurationMs`), a NoForce import of an
 * existing tag failing at the poll in both failure styles (`importFailureStyle`), registry
 * lists paged by nextLink (`armPageSize`). Where the experiment is a behaviour Azure does not
 * have — no Retry-After, a 202 without Location, Azure-AsyncOperation — the requests go to the
 * normal emulator and Azure's answer is asserted, not the experiment's (importImage answers a
 * Location and a Retry-After in every recording); az's recorded status polls then go to that
 * Location, where az would have polled.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import { AzReplay, assertRecordedStatuses, azFixture, command, isImportPost, isPoll, recording, type AzExchange, type Step } from './azReplay';
import { assertAccepted, assertImportLookups, landBeforeSecondPoll, pollStatuses } from './importSteps';

const post = (steps: readonly Step[]): Step => {
  const found = steps.find((s) => isImportPost(s.x));
  if (!found) throw new Error('no importImage POST');
  return found;
};

describe('contract: az 2.45 import experiments, against Azure’s behaviour', function () {
  let em: Emulator;
  before(async function () {
    // dstreg already holds app:1.1, as when az ran the NoForce experiments after its imports.
    const dst = { app: { '1.1': { content: { kind: 'image' as const, format: 'docker' as const, seed: 'app-1.1' } } } };
    em = await startEmulator({ fixture: azFixture({ dst }), importRetryAfterSeconds: 1, importDurationMs: 600_000, importSynchronousMs: 0 });
  });
  after(() => em.stop());

  const dst = (repo: string): Map<string, string> => em.registry('dstreg').tags(repo);
  const src = (repo: string, tag: string): string | undefined => em.registry('srcreg').tags(repo).get(tag);
  const replay = async (name: string, before?: (x: AzExchange) => void): Promise<Step[]> => (await new AzReplay(em).signIn()).replay(recording(name), before);

  it('experiment-import-synchronous-200 (knob importSynchronousMs): an import done at once is answered 200 on the POST; az does not poll', async function () {
    em.setImportDurationMs(0);
    try {
      const steps = await replay('experiment-import-synchronous-200');
      assertRecordedStatuses(steps);
      assertImportLookups(em, steps);
      assert.equal(post(steps).res.headers.location, undefined);
      assert.equal(dst('exp/sync').get('1'), src('app', '1.0'));
    } finally {
      em.setImportDurationMs(600_000);
    }
  });

  it('experiment-import-three-inprogress-polls (knob importDurationMs): three running polls answer 202 Accepted, the fourth Succeeded', async function () {
    let polls = 0;
    const steps = await replay('experiment-import-three-inprogress-polls', (x) => {
      if (isPoll(x) && ++polls === 4) em.completeImports();
    });
    assertRecordedStatuses(steps);
    assertAccepted(em, post(steps));
    for (const s of steps.filter((t) => isPoll(t.x)).slice(0, 3)) assert.deepEqual(s.res.json(), { status: 'Accepted' });
    assert.equal(dst('exp/three-polls').get('1'), src('app', '1.0'));
  });

  it('experiment-import-noforce-existing-tag-poll-409-arm-error (importFailureStyle httpError): the poll answers 409 InvalidParameters; az exits 1', async function () {
    const before = dst('app').get('1.1');
    const steps = await replay('experiment-import-noforce-existing-tag-poll-409-arm-error');
    assertAccepted(em, post(steps));
    // Azure checks NoForce "before any copying begins": already the first poll says so (the stand-in waited one).
    assert.deepEqual(pollStatuses(steps), [409, 409]);
    const error = steps[steps.length - 1].res.json<{ error: { code: string; message: string } }>().error;
    assert.equal(error.code, 'InvalidParameters');
    assert.match(error.message, /app:1\.1 Tag app:1\.1 already exists in target registry\.$/);
    assert.equal(command('experiment-import-noforce-existing-tag-poll-409-arm-error').exit_code, 1);
    assert.equal(dst('app').get('1.1'), before);
  });

  it('experiment-import-noforce-existing-tag-poll-200-status-failed (importFailureStyle bodyStatus): 200 {"status":"Failed"}, which az takes for success (exit 0)', async function () {
    em.setImportFailureStyle('bodyStatus');
    try {
      const steps = await replay('experiment-import-noforce-existing-tag-poll-200-status-failed');
      assertRecordedStatuses(steps.filter((s) => !isPoll(s.x)));
      assert.deepEqual(pollStatuses(steps), [200, 200]);
      const body = steps[steps.length - 1].res.json<{ status: string; error: { code: string } }>();
      assert.deepEqual([body.status, body.error.code], ['Failed', 'InvalidParameters']);
      assert.equal(command('experiment-import-noforce-existing-tag-poll-200-status-failed').exit_code, 0, 'az reads a Location poll by its status alone');
    } finally {
      em.setImportFailureStyle('httpError');
    }
  });

  it('experiment-import-no-retry-after: Azure’s 202 and running poll carry Retry-After (asserted, not the experiment’s answer)', async function () {
    const steps = await replay('experiment-import-no-retry-after', landBeforeSecondPoll(em));
    assertRecordedStatuses(steps);
    assertAccepted(em, post(steps));
    assert.equal(steps.find((s) => isPoll(s.x))?.res.headers['retry-after'], '1');
    assert.equal(dst('exp/no-retry-after').get('1'), src('app', '1.0'));
  });

  it('experiment-import-202-without-location: Azure’s 202 has a Location az would poll (asserted, not the experiment’s); the import lands', async function () {
    const steps = await replay('experiment-import-202-without-location');
    assertRecordedStatuses(steps);
    assertAccepted(em, post(steps));
    em.completeImports();
    assert.equal(dst('exp/no-location').get('1'), src('app', '1.0'));
  });

  it('experiment-import-azure-asyncoperation-only: Azure answers a Location, no Azure-AsyncOperation (asserted); az’s status polls go to the Location', async function () {
    const steps = await replay('experiment-import-azure-asyncoperation-only', landBeforeSecondPoll(em));
    assertAccepted(em, post(steps));
    assert.deepEqual(pollStatuses(steps), [202, 200]);
    assert.equal(dst('exp/async-only').get('1'), src('app', '1.0'));
  });

  it('experiment-import-azure-asyncoperation-only-failed: Azure’s Location polls fail with 409 for the existing app:1.1, so az exits 1 as recorded', async function () {
    const steps = await replay('experiment-import-azure-asyncoperation-only-failed');
    assertAccepted(em, post(steps));
    assert.deepEqual(pollStatuses(steps), [409, 409]);
    assert.equal(command('experiment-import-azure-asyncoperation-only-failed').exit_code, 1);
  });

  it('experiment-import-azure-asyncoperation-and-location: Azure answers the Location alone (asserted); running, Succeeded, and the final GET Succeeded', async function () {
    const steps = await replay('experiment-import-azure-asyncoperation-and-location', landBeforeSecondPoll(em));
    assertAccepted(em, post(steps));
    assert.deepEqual(pollStatuses(steps), [202, 200, 200]);
    assert.equal(dst('exp/async-and-location').get('1'), src('app', '1.0'));
  });
});

describe('contract: az 2.45 follows nextLink through the registries list (experiment-arm-list-paged-nextlink, knob armPageSize)', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: azFixture(), importRetryAfterSeconds: 1, importDurationMs: 600_000, armPageSize: 1 });
  });
  after(() => em.stop());

  it('pages of one registry; az’s next request is the live nextLink, re-encoded as azure-mgmt does ($ → %24); the import lands', async function () {
    const az = await new AzReplay(em).signIn();
    const exchanges = recording('experiment-arm-list-paged-nextlink');
    // #2 is the resources list's second page: the emulator does not page that list (the
    // stand-in did, at one item), so az would not send it and its token was the stand-in's.
    const [resources, , target, firstPage, secondPage, ...rest] = exchanges;
    const steps: Step[] = [];
    for (const x of [resources, target, firstPage]) steps.push({ x, res: await az.send(x) });
    const listed = steps[0].res.json<{ value: { name: string }[]; nextLink?: string }>();
    assert.deepEqual([listed.value.map((v) => v.name).sort(), listed.nextLink], [['dstreg', 'srcreg'], undefined]);
    const page1 = steps[2].res.json<{ value: { name: string }[]; nextLink: string }>();
    assert.equal(page1.value.length, 1);
    const next = new URL(page1.nextLink);
    const query = [...next.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    assert.match(query, /^api-version=2022-02-01-preview&%24skipToken=/);
    steps.push({ x: secondPage, res: await az.send(secondPage, `${next.origin}${next.pathname}?${query}`) });
    const page2 = steps[3].res.json<{ value: { name: string }[]; nextLink?: string }>();
    assert.equal(page2.nextLink, undefined);
    assert.deepEqual([...page1.value, ...page2.value].map((v) => v.name).sort(), ['dstreg', 'srcreg']);
    steps.push(...(await az.replay(rest, landBeforeSecondPoll(em))));
    assertRecordedStatuses(steps);
    assertAccepted(em, post(steps));
    assert.equal(em.registry('dstreg').tags('exp/nextlink').get('1'), em.registry('srcreg').tags('app').get('1.0'));
  });
});
