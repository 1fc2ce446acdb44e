import * as tl from 'azure-pipelines-task-lib/task';
import type { RawSyncOptions } from '../engine/options';

/** The task's inputs, read once: the two connections, the engine's raw options, extras. */
export interface TaskInputs {
  sourceConnection: string;
  targetConnection: string;
  sync: RawSyncOptions;
  reportPath?: string;
  registryAudience?: string;
}

function optional(name: string): string | undefined {
  const value = tl.getInput(name, false)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The pickLists offer registry names, but people paste login servers too
 * (`contosoprod.azurecr.io`): the name is the first DNS label.
 */
export function registryNameOf(value: string | undefined): string | undefined {
  return value?.split('.')[0];
}

/**
 * A job of `parallel: N` (System.ParallelExecutionType MultiMachine) runs as N copies that
 * should share the registry: the shard inputs then default to the job's position (1-based) and
 * count. A matrix (MultiConfiguration) also sets these variables, but its jobs usually differ in
 * their inputs — sharding them silently would copy a fraction of each registry — so it does not.
 */
function parallelJobShard(): { index?: string; count?: string } {
  if (tl.getVariable('System.ParallelExecutionType')?.toLowerCase() !== 'multimachine') return {};
  return { index: tl.getVariable('System.JobPositionInPhase'), count: tl.getVariable('System.TotalJobsInPhase') };
}

export function readTaskInputs(): TaskInputs {
  const parallelJob = parallelJobShard();
  return {
    sourceConnection: tl.getInput('sourceConnection', true) ?? '',
    targetConnection: tl.getInput('targetConnection', true) ?? '',
    sync: {
      sourceRegistry: registryNameOf(optional('sourceRegistry')),
      targetRegistry: registryNameOf(optional('targetRegistry')),
      repository: optional('repository'),
      letters: optional('letters'),
      // One pattern per line; a line may still hold a comma list, which the engine splits.
      ignorePatterns: (optional('ignorePatterns') ?? '').split(/\r?\n/),
      // A filePath input left empty arrives as the working directory: filePathSupplied tells.
      ignoreConfig: tl.filePathSupplied('ignoreConfig') ? tl.getPathInput('ignoreConfig', false) : undefined,
      maxRepositories: optional('maxRepositories'),
      delaySeconds: optional('delaySeconds'),
      maxConcurrency: optional('maxConcurrency'),
      timeBudgetMinutes: optional('timeBudgetMinutes'),
      importTimeoutMinutes: optional('importTimeoutMinutes'),
      requestTimeoutSeconds: optional('requestTimeoutSeconds'),
      maxReadsPerSecond: optional('maxReadsPerSecond'),
      shardIndex: optional('shardIndex') ?? parallelJob.index,
      shardCount: optional('shardCount') ?? parallelJob.count,
      dryRun: tl.getBoolInput('dryRun', false),
      force: tl.getBoolInput('force', false),
    },
    reportPath: optional('reportPath'),
    registryAudience: optional('registryAudience'),
  };
}
