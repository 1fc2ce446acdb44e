import * as tl from 'azure-pipelines-task-lib/task';
import type { OptionsError } from '../options/optionsError';

/**
 * Localised one-line messages. Every key is in task.json `messages` (a packaging test checks
 * that each key used here exists there).
 */
export function optionsMessage(error: OptionsError): string {
  return tl.loc(`Options_${error.key}`, ...error.args);
}

export function registryNotFoundMessage(name: string, side: string): string {
  return tl.loc('RegistryNotFound', name, side, side);
}
