/**
 * task.json's `inputs`, as the option table defines them: every option with a `task` entry
 * becomes one input of the form, in table order, with its default from the same table. Not
 * part of the running task: `npm run task-inputs` writes them into task.json and a test checks
 * that task.json holds exactly these (so the form, the YAML names and the code agree).
 */
import { OPTIONS, type OptionSpec } from '../options/table';

export interface TaskJsonInput {
  name: string;
  aliases?: string[];
  type: string;
  label: string;
  defaultValue: string;
  required: boolean;
  groupName?: string;
  visibleRule?: string;
  options?: Record<string, string>;
  helpMarkDown: string;
  properties?: Record<string, string | boolean>;
}

/** What the form shows before anyone types: the table's default, `false` for a checkbox. */
function defaultValueOf(spec: OptionSpec): string {
  if (spec.default !== undefined) return String(spec.default);
  if (spec.defaultChoice !== undefined) return spec.defaultChoice;
  return spec.kind === 'flag' ? 'false' : '';
}

export function taskJsonInputs(): TaskJsonInput[] {
  return (OPTIONS as readonly OptionSpec[]).flatMap((spec) => {
    const task = spec.task;
    if (task === undefined) return [];
    return [
      {
        name: task.input,
        ...(task.aliases ? { aliases: [...task.aliases] } : {}),
        type: task.type,
        label: task.label,
        defaultValue: task.defaultValue ?? defaultValueOf(spec),
        required: task.required === true,
        ...(task.group ? { groupName: task.group } : {}),
        ...(task.visibleRule ? { visibleRule: task.visibleRule } : {}),
        ...(task.options ? { options: { ...task.options } } : {}),
        helpMarkDown: task.help,
        ...(task.properties ? { properties: { ...task.properties } } : {}),
      },
    ];
  });
}

/** One input as task.json writes it: a key a line, arrays and objects on the key's line. */
function inputText(input: TaskJsonInput): string {
  const lines = Object.entries(input).map(([key, value]: [string, unknown]) => {
    const text = Array.isArray(value)
      ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]`
      : typeof value === 'object' && value !== null
        ? `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`
        : JSON.stringify(value);
    return `      ${JSON.stringify(key)}: ${text}`;
  });
  return `    {\n${lines.join(',\n')}\n    }`;
}

/** task.json's text with its `inputs` array replaced by these; the rest stays as it is. */
export function withInputs(taskJsonText: string, inputs: readonly TaskJsonInput[]): string {
  const start = taskJsonText.indexOf('  "inputs": [\n');
  const end = taskJsonText.indexOf('\n  ],\n', start);
  if (start < 0 || end < 0) throw new Error('task.json has no "inputs" array in the expected layout');
  return `${taskJsonText.slice(0, start)}  "inputs": [\n${inputs.map(inputText).join(',\n')}${taskJsonText.slice(end)}`;
}
