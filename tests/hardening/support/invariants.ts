/**
 * What every fault scenario checks besides its own outcome:
 * - nothing lost: compared with the target as it was before, no tag was removed, and every tag
 *   that is new or points elsewhere was named by a run's plan and reported imported; every
 *   target tag points at a manifest the target holds;
 * - nothing shown: no secret, subscription id, tenant id, resource id or token appears in what
 *   a run printed or wrote.
 */
import { strict as assert } from 'node:assert';
import type { Emulator } from '../../../testkit/emulator/api';
import type { RunReport } from '../../../src/engine/report';
import { figures } from './figures';
import type { SyncRun } from './frontEnds';
import { NEVER_SHOWN, SOURCE, TARGET } from './world';

export type RegistrySnapshot = Map<string, Map<string, string>>;

export function snapshotTarget(emulator: Emulator): RegistrySnapshot {
  const registry = emulator.registry(TARGET);
  return new Map(registry.repositories().map((repo) => [repo, new Map(registry.tags(repo))]));
}

/** repo:tag pairs a run imported (and verified), from its report. */
function imported(reports: readonly (RunReport | undefined)[]): Set<string> {
  const names = new Set<string>();
  for (const report of reports) {
    for (const repo of report?.repositories ?? []) {
      for (const tag of repo.tags) if (tag.outcome === 'imported') names.add(`${repo.name}:${tag.tag}`);
    }
  }
  return names;
}

export function assertNothingLost(emulator: Emulator, before: RegistrySnapshot, reports: readonly (RunReport | undefined)[], allowedExtra: ReadonlySet<string> = new Set()): void {
  const after = snapshotTarget(emulator);
  const named = imported(reports);
  const registry = emulator.registry(TARGET);
  for (const [repo, tags] of before) {
    for (const [tag, digest] of tags) {
      const now = after.get(repo)?.get(tag);
      assert.ok(now !== undefined, `${repo}:${tag} was removed from the target`);
      if (now !== digest) assert.ok(named.has(`${repo}:${tag}`) || allowedExtra.has(`${repo}:${tag}`), `${repo}:${tag} changed without a plan naming it`);
    }
  }
  for (const [repo, tags] of after) {
    for (const [tag, digest] of tags) {
      figures.targetTagsCompared++;
      if (before.get(repo)?.get(tag) === undefined) {
        assert.ok(named.has(`${repo}:${tag}`) || allowedExtra.has(`${repo}:${tag}`), `${repo}:${tag} appeared without a plan naming it`);
      }
      assert.ok(registry.hasManifest(repo, digest), `${repo}:${tag} points at ${digest}, which the target does not hold`);
    }
  }
  figures.nothingLostChecks++;
}

export function assertNothingShown(run: SyncRun): void {
  for (const value of NEVER_SHOWN) assert.ok(!run.everything.includes(value), `${run.frontEnd} showed ${value.slice(0, 12)}…`);
  assert.ok(!/eyJ[\w-]{8,}\.[\w-]{8,}\./.test(run.everything), `${run.frontEnd} showed a token`);
  assert.ok(!/\/subscriptions\/[0-9a-f-]{36}/i.test(run.everything), `${run.frontEnd} showed a resource id`);
  figures.outputsScannedForSecrets++;
}

/** Every source tag (but the locked one, and those of `except`) is in the target at its source digest. */
export function assertInSync(emulator: Emulator, except: readonly string[] = []): void {
  const source = emulator.registry(SOURCE);
  const target = emulator.registry(TARGET);
  for (const repo of source.repositories()) {
    if (except.includes(repo) || repo === 'locked/app') continue;
    for (const [tag, digest] of source.tags(repo)) assert.equal(target.tags(repo).get(tag), digest, `${repo}:${tag}`);
  }
}
