import * as tl from 'azure-pipelines-task-lib/task';
import { OptionsError } from '../options/optionsError';
import { OPTIONS, type OptionSpec, type RawOptions, type TaskInput } from '../options/table';

function optional(name: string): string | undefined {
  const value = tl.getInput(name, false)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * A service connection input left empty. task-lib's own "Input required: targetConnection"
 * names the input as task.json does; YAML users write its alias (targetAzureSubscription) and
 * the form shows its label, so the message names all three.
 */
function connectionMissing(input: TaskInput): OptionsError {
  const side = input.input.replace(/Connection$/, '');
  const alias = input.aliases?.[0] ?? input.input;
  return new OptionsError(
    'ConnectionMissing',
    [side, alias, input.input, input.label],
    `The ${side} service connection is missing: set the YAML input ${alias} (or ${input.input}), "${input.label}" on the classic form, to an Azure Resource Manager service connection.`,
  );
}

/** One input, read the way its task.json type is filled in by the agent. */
function readInput(input: TaskInput): string | boolean | string[] | undefined {
  switch (input.type) {
    case 'connectedService:AzureRM': {
      const connection = optional(input.input);
      if (connection === undefined && input.required) throw connectionMissing(input);
      return connection ?? '';
    }
    case 'boolean':
      return tl.getBoolInput(input.input, false);
    case 'filePath':
      // A filePath input left empty arrives as the working directory: filePathSupplied tells.
      return tl.filePathSupplied(input.input) ? tl.getPathInput(input.input, false) : undefined;
    case 'multiLine':
      // One pattern per line; a line may still hold a comma list, which options/ splits.
      return (optional(input.input) ?? '').split(/\r?\n/);
    case 'string':
    case 'pickList':
      return optional(input.input);
  }
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
function parallelJobShard(): { shardIndex?: string; shardCount?: string } {
  if (tl.getVariable('System.ParallelExecutionType')?.toLowerCase() !== 'multimachine') return {};
  return { shardIndex: tl.getVariable('System.JobPositionInPhase'), shardCount: tl.getVariable('System.TotalJobsInPhase') };
}

/**
 * The task's inputs, read once: every option of the table that has a task input, by its input
 * name; then what only a pipeline knows (login servers pasted as names, a parallel job's shard).
 */
export function readTaskInputs(): RawOptions {
  const raw: Record<string, unknown> = {};
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    if (spec.task !== undefined) raw[spec.name] = readInput(spec.task);
  }
  const options = raw as RawOptions;
  const parallelJob = parallelJobShard();
  return {
    ...options,
    sourceRegistry: registryNameOf(options.sourceRegistry as string | undefined),
    targetRegistry: registryNameOf(options.targetRegistry as string | undefined),
    shardIndex: options.shardIndex ?? parallelJob.shardIndex,
    shardCount: options.shardCount ?? parallelJob.shardCount,
  };
}
