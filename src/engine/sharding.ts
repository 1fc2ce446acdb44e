/**
 * Sharding: N jobs share one migration, each taking the repositories whose name hashes to its
 * shard. The hash is 32-bit FNV-1a over the name's UTF-8 bytes — stable across runs, machines
 * and versions (it must never change: shards of one migration may run different builds) and
 * easy to reproduce elsewhere. Shards are numbered from 1, as Azure DevOps numbers the jobs of
 * `parallel: N` (System.JobPositionInPhase): repository r belongs to shard
 * `fnv1a32(r) mod count + 1`.
 */
export interface Shard {
  /** 1-based: 1 ≤ index ≤ count. */
  index: number;
  count: number;
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** The 1-based shard a repository belongs to. */
export function shardOf(repository: string, count: number): number {
  return (fnv1a32(repository) % count) + 1;
}

export function inShard(repository: string, shard: Shard | undefined): boolean {
  return shard === undefined || shardOf(repository, shard.count) === shard.index;
}
