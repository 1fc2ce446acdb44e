// The task's en-US resource file, generated from task.json with the key scheme of Microsoft's
// task build (make-util.js): loc.friendlyName, loc.helpMarkDown, loc.description,
// loc.instanceNameFormat, loc.releaseNotes, loc.group.displayName.<group>,
// loc.input.label.<input>, loc.input.help.<input>, loc.messages.<key>. At run time task-lib
// reads Strings/resources.resjson/<System.Culture>/resources.resjson beside task.json for
// `tl.loc`; other cultures can be dropped in beside en-US later. Never edit the file by hand.
import { readFileSync } from 'node:fs';
import { taskJsonFile } from './paths.mjs';

export function readTaskJson(file = taskJsonFile) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The resjson object for `task`, keys in the order Microsoft's generator writes them. */
export function resjsonFromTask(task) {
  const strings = {};
  const put = (key, value) => {
    if (typeof value === 'string' && value !== '') strings[key] = value;
  };
  put('loc.friendlyName', task.friendlyName);
  put('loc.helpMarkDown', task.helpMarkDown);
  put('loc.description', task.description);
  put('loc.instanceNameFormat', task.instanceNameFormat);
  put('loc.releaseNotes', task.releaseNotes);
  for (const group of task.groups ?? []) put(`loc.group.displayName.${group.name}`, group.displayName);
  for (const input of task.inputs ?? []) {
    put(`loc.input.label.${input.name}`, input.label);
    put(`loc.input.help.${input.name}`, input.helpMarkDown);
  }
  for (const [key, message] of Object.entries(task.messages ?? {})) put(`loc.messages.${key}`, message);
  return strings;
}

/** The file's exact text: two-space JSON and a final newline, so regenerating is a no-op. */
export function resjsonText(task) {
  return `${JSON.stringify(resjsonFromTask(task), null, 2)}\n`;
}
