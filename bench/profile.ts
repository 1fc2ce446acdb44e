/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof) of the sync child: self time by function
 * and by area (TLS and sockets, the Azure SDK's HTTP pipeline, token handling, JSON, the
 * engine, garbage collection…), so a missed target can be traced to where the CPU went.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Sampled time spent idle (waiting on the network): what latency costs. */
  idleMs: number;
  byArea: { area: string; ms: number; share: number }[];
  topFunctions: { name: string; where: string; ms: number; share: number }[];
}

const AREAS: [string, RegExp][] = [
  ['engine (select, plan, execute)', /\/src\/engine\//],
  ['command line (render, report)', /\/src\/cli\//],
  ['ACR data-plane client (tokens, paging)', /\/src\/azure\/dataplane\//],
  ['Azure adapters (ARM, pacing, transport)', /\/src\/azure\//],
  ['@azure/core-rest-pipeline + core-client', /node_modules\/@azure\/core-(rest-pipeline|client|util|tracing|lro)/],
  ['@azure/identity + MSAL', /node_modules\/@azure\/(identity|msal)/],
  ['@azure/arm-containerregistry', /node_modules\/@azure\/arm-containerregistry/],
  ['other node_modules', /node_modules\//],
  ['Node http/https/tls/net', /^node:(_http|http|https|_tls|tls|net|internal\/(http|tls|net|stream|streams))/],
  ['Node other', /^node:/],
];

function areaOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(program)') return 'V8/native (program)';
    if (/^JSON\.|parse|stringify/.test(functionName)) return 'JSON (native)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  for (const [area, pattern] of AREAS) if (pattern.test(url)) return area;
  return 'other';
}

export function summariseProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    for (let i = 0; i < profile.samples.length; i++) {
      const id = profile.samples[i];
      selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    }
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; ms: number }>();
  let idleMs = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    const area = areaOf(node);
    if (area === '(idle)') {
      idleMs += ms;
      continue;
    }
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const where = node.callFrame.url.replace(/^.*\/(node_modules|build)\//, '$1/').replace(/^file:\/\//, '');
    const key = `${node.callFrame.functionName}|${where}:${node.callFrame.lineNumber}`;
    const f = functions.get(key) ?? { name: node.callFrame.functionName || '(anonymous)', where: `${where}:${node.callFrame.lineNumber + 1}`, ms: 0 };
    f.ms += ms;
    functions.set(key, f);
  }
  const busy = totalMs - idleMs;
  return {
    file,
    totalMs,
    idleMs,
    byArea: [...areas].map(([area, ms]) => ({ area, ms, share: ms / busy })).sort((a, b) => b.ms - a.ms),
    topFunctions: [...functions.values()].map((f) => ({ ...f, share: f.ms / busy })).sort((a, b) => b.ms - a.ms).slice(0, 15),
  };
}

export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const last = files[files.length - 1];
  return last === undefined ? undefined : join(dir, last);
}

if (require.main === module) {
  const target = process.argv[2];
  if (!target) throw new Error('usage: profile <file.cpuprofile | folder>');
  const file = target.endsWith('.cpuprofile') ? target : newestProfile(target);
  if (!file) throw new Error(`no .cpuprofile in ${target}`);
  const s = summariseProfile(file);
  process.stdout.write(`${file}: ${(s.totalMs / 1000).toFixed(1)} s, idle ${(s.idleMs / 1000).toFixed(1)} s\n`);
  for (const a of s.byArea) process.stdout.write(`  ${(a.share * 100).toFixed(1).padStart(5)} %  ${a.ms.toFixed(0).padStart(6)} ms  ${a.area}\n`);
  process.stdout.write('top functions (self time):\n');
  for (const f of s.topFunctions) process.stdout.write(`  ${(f.share * 100).toFixed(1).padStart(5)} %  ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}  ${f.where}\n`);
}
