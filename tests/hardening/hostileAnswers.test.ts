/**
 * Answers no registry sends, through both front ends: a 200 that is a proxy's login page or a
 * `{}` (on the catalog, a source or a target tag listing, a token request), a portal that
 * recovers, a body that stalls half-way, a chain of ever-new next-page links, a body of
 * 40 MiB, and a catalog page that lists names twice. None may read as an empty listing: the
 * run (catalog, token) or the repository (tag listing) fails with one line naming the
 * registry and what was wrong, after the retries the request log shows, and nothing is
 * written that the plan did not name — no import at all when the catalog was unreadable, none
 * for a repository whose target tags (and so its locks) were unreadable.
 */
import { strict as assert } from 'node:assert';
import { MAX_PAGES_PER_LISTING } from '../../src/azure/dataplane/acrClient';
import { UNEXPECTED_ANSWER_RETRIES } from '../../src/azure/dataplane/answerCheck';
import type { Emulator, FaultRule } from '../../testkit/emulator/api';
import { figures } from './support/figures';
import { FRONT_ENDS, runFrontEnd, type FrontEnd, type SyncRun } from './support/frontEnds';
import { assertInSync, assertNothingLost, assertNothingShown, snapshotTarget } from './support/invariants';
import { faultEmulators } from './support/session';
import { SOURCE, TARGET } from './support/world';

const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action="https://portal.example/login"><input name="user"></form></body></html>';
const HTML = 'text/html; charset=utf-8';
/** Every attempt of a request whose answer stays unexpected. */
const ATTEMPTS = 1 + UNEXPECTED_ANSWER_RETRIES;

const source = (e: Emulator): string => e.registry(SOURCE).loginServer;
const target = (e: Emulator): string => e.registry(TARGET).loginServer;
const inSource = { service: `acr:${SOURCE}` };
const inTarget = { service: `acr:${TARGET}` };
const tagsOf = (repository: string): string => `/acr/v1/${encodeURIComponent(repository)}/_tags`;

/** Requests of a route (to one registry, whose URL holds `urlIncludes`), and how many got `status`. */
function requests(e: Emulator, route: string, registry: string, urlIncludes = '', status?: number): number {
  return e.log.entries().filter((x) => x.route === route && x.service === `acr:${registry}` && x.url.includes(urlIncludes) && (status === undefined || x.status === status)).length;
}

/** import POSTs whose body names this repository. */
function importsOf(e: Emulator, repository: string): number {
  return e.log.entries().filter((x) => x.route === 'arm.importImage' && JSON.stringify(x.body).includes(`"${repository}@`)).length;
}

/** A run that could not start or list the catalog: a failed result and one line with `message`. */
function assertStoppedWith(frontEnd: FrontEnd, run: SyncRun, message: string): void {
  if (frontEnd === 'cli') {
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.equal(run.reason, `acr-transfer: ${message}`);
  } else {
    // The task reports a run that never got to its report as Failed without one.
    assert.ok(run.outcome === 'failed' || run.outcome === 'badInput', run.outcome);
    assert.equal(run.reason, `The sync could not start: ${message}`);
  }
}

/** A run in which one repository failed with `message` and every other one was done. */
function assertOneRepositoryFailed(run: SyncRun, repository: string, message: string): void {
  assert.equal(run.outcome, 'failed', run.reason);
  if (run.frontEnd === 'cli') assert.equal(run.code, 1);
  const failed = (run.report?.repositories ?? []).filter((r) => r.status === 'failed');
  assert.deepEqual(failed.map((r) => [r.name, r.error]), [[repository, message]]);
  assert.ok(run.everything.includes(message), 'the reason is shown');
}

/** No stack trace and no raw runtime error reached the output. */
function assertNoStack(run: SyncRun): void {
  assert.ok(!/\n\s+at .+\(.+:\d+:\d+\)/.test(run.everything), 'a stack trace was shown');
  assert.ok(!run.everything.includes('ERR_STRING_TOO_LONG'));
}

describe('fault injection: answers no registry sends', function () {
  this.timeout(240_000);
  const start = faultEmulators();

  for (const frontEnd of FRONT_ENDS) {
    const catalogAnswers: Array<[string, Omit<Extract<FaultRule, { kind: 'status' }>, 'route'>, string]> = [
      ["a proxy's login page", { kind: 'status', status: 200, body: LOGIN_PAGE, contentType: HTML }, 'the answer is not JSON (content type text/html)'],
      ['`{}`', { kind: 'status', status: 200, body: {} }, 'the answer is not a repository listing: it has no "repositories"'],
    ];
    for (const [what, answer, problem] of catalogAnswers) {
      it(`${frontEnd}: a catalog answered 200 with ${what} fails the run after ${UNEXPECTED_ANSWER_RETRIES} retries, with no import`, async () => {
        const e = await start();
        e.addFault({ route: 'acr.catalog', ...inSource, ...answer, times: Infinity });
        const before = snapshotTarget(e);
        const run = await runFrontEnd(frontEnd, e);
        figures.faultScenarios++;
        figures.faultsInjected += requests(e, 'acr.catalog', SOURCE);
        assertStoppedWith(frontEnd, run, `listing repositories of ${source(e)}: ${problem}`);
        assert.equal(requests(e, 'acr.catalog', SOURCE), ATTEMPTS, 'asked once and retried');
        assert.equal(e.log.count('acr.tags'), 0, 'nothing was planned');
        assert.equal(e.log.count('arm.importImage'), 0);
        assert.doesNotMatch(run.everything, /Run succeeded|0 of 0/);
        assertNothingLost(e, before, []);
        assertNothingShown(run);
      });
    }

    it(`${frontEnd}: a captive portal that recovers after two answers: the catalog is read and the run completes`, async () => {
      const e = await start();
      e.addFault({ route: 'acr.catalog', ...inSource, kind: 'status', status: 200, body: LOGIN_PAGE, contentType: HTML, times: 2 });
      figures.faultsInjected += 2;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      assert.equal(run.outcome, 'succeededWithIssues', run.reason);
      assert.equal(run.report?.totals.tags.failed, 0);
      assert.equal(requests(e, 'acr.catalog', SOURCE), 3);
      assert.ok((run.report?.totals.requests?.retried ?? 0) >= 2, 'the portal answers were retried');
      assert.equal(run.report?.totals.repositories.scanned, e.registry(SOURCE).repositories().length);
      assertInSync(e);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });

    it(`${frontEnd}: a source tag listing answered with a login page fails that repository (never "in sync"); the others land`, async () => {
      const e = await start();
      e.addFault({ route: 'acr.tags', ...inSource, urlIncludes: tagsOf('team1/app04'), kind: 'status', status: 200, body: LOGIN_PAGE, contentType: HTML, times: Infinity });
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      figures.faultsInjected += requests(e, 'acr.tags', SOURCE, tagsOf('team1/app04'));
      figures.faultScenarios++;
      assertOneRepositoryFailed(run, 'team1/app04', `listing the tags of team1/app04 in ${source(e)}: the answer is not JSON (content type text/html)`);
      assert.equal(requests(e, 'acr.tags', SOURCE, tagsOf('team1/app04')), ATTEMPTS);
      assert.equal(importsOf(e, 'team1/app04'), 0);
      assert.equal(e.registry(TARGET).tags('team1/app04').size, 0);
      assertInSync(e, ['team1/app04']);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });

    it(`${frontEnd}: the target tag listing of a locked repository answered \`{}\`: the lock is not lost, no write is attempted there`, async () => {
      const e = await start();
      e.addFault({ route: 'acr.tags', ...inTarget, urlIncludes: tagsOf('locked/app'), kind: 'status', status: 200, body: {}, times: Infinity });
      const lockedBefore = e.registry(TARGET).tags('locked/app');
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      figures.faultsInjected += requests(e, 'acr.tags', TARGET, tagsOf('locked/app'));
      figures.faultScenarios++;
      assertOneRepositoryFailed(run, 'locked/app', `listing the tags of locked/app in ${target(e)}: the answer is not a tag listing: it has no "tags"`);
      assert.equal(requests(e, 'acr.tags', TARGET, tagsOf('locked/app')), ATTEMPTS);
      assert.equal(importsOf(e, 'locked/app'), 0, 'no write was attempted');
      assert.deepEqual(e.registry(TARGET).tags('locked/app'), lockedBefore);
      assertInSync(e);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });

    it(`${frontEnd}: token answers that are a login page stop the run before any import`, async () => {
      const e = await start();
      e.addFault({ route: 'acr.token', ...inSource, kind: 'status', status: 200, body: LOGIN_PAGE, contentType: HTML, times: Infinity });
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      figures.faultsInjected += requests(e, 'acr.token', SOURCE);
      figures.faultScenarios++;
      assertStoppedWith(frontEnd, run, `getting a registry token for registry:catalog:* from ${source(e)}: the answer is not JSON (content type text/html)`);
      assert.equal(requests(e, 'acr.token', SOURCE), ATTEMPTS);
      assert.equal(e.log.count('acr.catalog'), 0);
      assert.equal(e.log.count('arm.importImage'), 0);
      assertNothingLost(e, before, []);
      assertNothingShown(run);
    });

    it(`${frontEnd}: tag listings whose bodies stall half-way are abandoned at the request time limit and retried`, async () => {
      const e = await start();
      e.addFault({ route: 'acr.tags', ...inSource, kind: 'stall', after: 2, times: 3 });
      figures.faultsInjected += 3;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e, { requestTimeoutSeconds: '2' });
      assert.equal(run.outcome, 'succeededWithIssues', run.reason);
      assert.equal(run.report?.totals.tags.failed, 0);
      assert.equal(requests(e, 'acr.tags', SOURCE, '', 0), 3, 'three answers never finished');
      assert.ok((run.report?.totals.requests?.retried ?? 0) >= 3, 'and each was asked for again');
      assertInSync(e);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });

    it(`${frontEnd}: a catalog of ever-new next-page links stops after ${MAX_PAGES_PER_LISTING} pages, with no import`, async () => {
      const e = await start();
      e.addFault({ route: 'acr.catalog', ...inSource, kind: 'endlessPaging', times: Infinity });
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      // One broken chain, one fault: its thousand pages would drown every other figure.
      figures.faultsInjected++;
      figures.faultScenarios++;
      assertStoppedWith(frontEnd, run, `listing repositories of ${source(e)}: stopped after ${MAX_PAGES_PER_LISTING} pages, the registry keeps sending next-page links`);
      assert.equal(requests(e, 'acr.catalog', SOURCE), MAX_PAGES_PER_LISTING);
      assert.equal(new Set(e.log.entries().filter((x) => x.route === 'acr.catalog').map((x) => x.url)).size, MAX_PAGES_PER_LISTING, 'every page a new link');
      assert.equal(e.log.count('acr.tags'), 0);
      assert.equal(e.log.count('arm.importImage'), 0);
      assertNothingLost(e, before, []);
      assertNothingShown(run);
    });

    it(`${frontEnd}: a tag listing of 40 MiB is refused at the 32 MiB cap, once, without a stack trace; the others land`, async () => {
      const e = await start();
      e.addFault({ route: 'acr.tags', ...inSource, urlIncludes: tagsOf('team2/app05'), kind: 'oversized', bytes: 40 * 1024 * 1024, times: Infinity });
      figures.faultsInjected++;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      assertOneRepositoryFailed(run, 'team2/app05', `listing the tags of team2/app05 in ${source(e)}: the answer is larger than 32 MiB`);
      assert.equal(requests(e, 'acr.tags', SOURCE, tagsOf('team2/app05')), 1, 'not asked for again');
      assert.equal(importsOf(e, 'team2/app05'), 0);
      assertNoStack(run);
      assertInSync(e, ['team2/app05']);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });

    it(`${frontEnd}: an ARM answer of 40 MiB (the registry list) is refused at the same cap, in one line, nothing written`, async () => {
      const e = await start();
      e.addFault({ route: 'arm.registries.list', kind: 'oversized', bytes: 40 * 1024 * 1024, times: Infinity });
      figures.faultsInjected++;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      assert.ok(run.outcome === 'failed' || (frontEnd === 'task' && run.outcome === 'badInput'), run.outcome);
      if (frontEnd === 'cli') assert.equal(run.code, 3, run.stderr);
      assert.match(run.reason, /the answer is larger than 32 MiB/);
      assert.equal(e.log.count('arm.importImage'), 0);
      assertNoStack(run);
      assertNothingLost(e, before, []);
      assertNothingShown(run);
    });

    it(`${frontEnd}: a catalog page that lists names twice: each repository is planned and imported once`, async () => {
      const e = await start();
      const names = e.registry(SOURCE).repositories();
      e.addFault({ route: 'acr.catalog', ...inSource, kind: 'status', status: 200, body: { repositories: [...names, ...names.slice(0, 5)] } });
      figures.faultsInjected++;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      assert.equal(run.outcome, 'succeededWithIssues', run.reason);
      assert.deepEqual(run.report?.repositories.map((r) => r.name), [...names].sort());
      assert.equal(run.report?.totals.repositories.scanned, names.length);
      for (const name of names.slice(0, 5)) assert.equal(requests(e, 'acr.tags', SOURCE, tagsOf(name)), 1, `${name} listed once`);
      const posts = e.log.entries().filter((x) => x.route === 'arm.importImage' && x.status === 202).map((x) => JSON.stringify(x.body));
      assert.equal(new Set(posts).size, posts.length, 'no import twice');
      assert.equal(posts.length, run.report?.totals.importCalls);
      assertInSync(e);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });
  }
});
