import * as tl from 'azure-pipelines-task-lib/task';
import { OptionsError } from '../options/optionsError';
import { OPTIONS, type OptionSpec, type RawOptions, type TaskInput } from '../options/table';
import { readRegistryConnection } from './connections/registryConnection';

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
  const side = input.input.replace(/Connection$/, '').replace(/Registry$/, ' registry');
  const alias = input.aliases?.[0] ?? input.input;
  const kind = input.type === 'connectedService:dockerregistry' ? 'a Docker Registry' : 'an Azure Resource Manager';
  return new OptionsError(
    'ConnectionMissing',
    [side, alias, input.input, input.label, kind],
    `The ${side} service connection is missing: set the YAML input ${alias} (or ${input.input}), "${input.label}" on the classic form, to ${kind} service connection.`,
  );
}

/** One input, read the way its task.json type is filled in by the agent. */
function readInput(input: TaskInput): string | boolean | string[] | undefined {
  switch (input.type) {
    case 'connectedService:AzureRM':
    case 'connectedService:dockerregistry': {
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

/** What an input holds, or the table's default when it is empty (a visibleRule compares with it). */
function currentValue(input: string): string | undefined {
  const spec = (OPTIONS as readonly OptionSpec[]).find((o) => o.task?.input === input);
  return optional(input) ?? spec?.task?.defaultValue ?? spec?.defaultChoice;
}

/**
 * Whether the form shows an input (task.json `visibleRule`, of the form `input = value` here).
 * A hidden input is neither required nor read: YAML may still carry it from an earlier choice.
 */
function visible(input: TaskInput): boolean {
  if (input.visibleRule === undefined) return true;
  const [name, value] = input.visibleRule.split('=').map((part) => part.trim());
  return currentValue(name) === value;
}

/** The source registry connection's host and credentials, as the command line's options take them. */
function registrySource(raw: Record<string, unknown>): Record<string, unknown> {
  const connectionId = raw['sourceRegistryConnection'];
  if (typeof connectionId !== 'string' || connectionId === '') return {};
  const connection = readRegistryConnection(connectionId);
  return { sourceRegistryUri: connection.host, sourceUsername: connection.username, sourcePassword: connection.password };
}

/**
 * The task's inputs, read once: every option of the table that has a task input, by its input
 * name; then what only a pipeline knows (login servers pasted as names, a parallel job's shard).
 */
export function readTaskInputs(): RawOptions {
  const raw: Record<string, unknown> = {};
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    if (spec.task !== undefined && visible(spec.task)) raw[spec.name] = readInput(spec.task);
  }
  Object.assign(raw, registrySource(raw));
  const options = raw as RawOptions;
  const parallelJob = parallelJobShard();
  return {
    ...options,
    ...(options.sourceRegistry !== undefined ? { sourceRegistry: registryNameOf(options.sourceRegistry as string) } : {}),
    targetRegistry: registryNameOf(options.targetRegistry as string | undefined),
    shardIndex: options.shardIndex ?? parallelJob.shardIndex,
    shardCount: options.shardCount ?? parallelJob.shardCount,
  };
}
