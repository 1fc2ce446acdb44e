/**
 * Two in-memory registries, an importer between them, and `run` with raw options — the setup
 * of the engine's feature tests. With a virtual clock, the run goes in virtual time.
 */
import type { Clock } from '../../src/engine/clock';
import type { SyncEvents } from '../../src/engine/events';
import type { SyncOptions } from '../../src/engine/syncOptions';
import { parseOptions } from '../../src/options/parse';
import type { RawOptions } from '../../src/options/table';
import type { RegistryReader, RequestStats } from '../../src/engine/ports';
import type { RunReport } from '../../src/engine/report';
import { runSync } from '../../src/engine/sync';
import { MemoryImporter, MemoryRegistry, type Tags } from './memoryRegistry';
import { runInVirtualTime, VirtualClock } from './virtualClock';

export interface RunExtras {
  events?: SyncEvents;
  clock?: Clock;
  /** Replaces the source reader the engine sees (the registry still backs the importer). */
  sourceReader?: RegistryReader;
  /** Replaces the target reader the engine sees, likewise. */
  targetReader?: RegistryReader;
  requestStats?: () => RequestStats;
  /** Adjusts validated options the front ends do not expose (list concurrency). */
  tune?: (options: SyncOptions) => void;
  /** Cancels the run gracefully (what a front end does on SIGINT / SIGTERM). */
  stop?: AbortSignal;
  cancelGraceMs?: number;
  /** When the time budget started counting (before the engine: sign-in). */
  startedAt?: number;
}

export function setup(sourceContent: Record<string, Tags>, targetContent: Record<string, Tags> = {}) {
  const source = new MemoryRegistry(sourceContent);
  const target = new MemoryRegistry(targetContent);
  const importer = new MemoryImporter(source, target);
  const run = (raw: Partial<RawOptions> = {}, extras: RunExtras = {}): Promise<RunReport> => {
    const options = parseOptions({ sourceRegistry: 'sourceacr', targetRegistry: 'targetacr', ...raw }).sync;
    extras.tune?.(options);
    const work = runSync(
      options,
      { source: extras.sourceReader ?? source, target: extras.targetReader ?? target, importer, ...(extras.requestStats ? { requestStats: extras.requestStats } : {}) },
      {
        toolVersion: 'test',
        events: extras.events,
        clock: extras.clock,
        ...(extras.stop ? { stop: extras.stop } : {}),
        ...(extras.cancelGraceMs !== undefined ? { cancelGraceMs: extras.cancelGraceMs } : {}),
        ...(extras.startedAt !== undefined ? { startedAt: extras.startedAt } : {}),
      },
    );
    return extras.clock instanceof VirtualClock ? runInVirtualTime(extras.clock, work) : work;
  };
  return { source, target, importer, run };
}

/** `count` repositories named `prefix00`, `prefix01`, … each with one tag of its own digest. */
export function repositories(count: number, prefix = 'repo', firstDigest = 1): Record<string, Tags> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${String(i).padStart(2, '0')}`, { t: `sha256:${(firstDigest + i).toString(16).padStart(64, '0')}` }]));
}
