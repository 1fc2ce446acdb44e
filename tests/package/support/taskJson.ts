/** task.json's shape, as far as the packaging tests read it. */
import { readFileSync } from 'node:fs';

export interface TaskInput {
  name: string;
  type: string;
  label: string;
  helpMarkDown?: string;
  groupName?: string;
  visibleRule?: string;
  aliases?: string[];
}

export interface TaskJson {
  id: string;
  name: string;
  friendlyName: string;
  description?: string;
  helpMarkDown?: string;
  instanceNameFormat: string;
  releaseNotes?: string;
  version: { Major: number; Minor: number; Patch: number };
  groups?: { name: string; displayName: string; visibleRule?: string }[];
  inputs: TaskInput[];
  execution: Record<string, { target: string }>;
  prejobexecution?: Record<string, { target: string }>;
  postjobexecution?: Record<string, { target: string }>;
  messages?: Record<string, string>;
  outputVariables?: { name: string; description?: string }[];
  restrictions?: { commands?: { mode?: 'any' | 'restricted' }; settableVariables?: { allowed?: string[] } };
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
