import type { Shard } from '../engine/sharding';
import { OptionsError } from './optionsError';

/**
 * Shard index and count come together or not at all: an index alone would silently select a
 * fraction of the registry. The index is 1-based, as Azure DevOps numbers parallel jobs. Both
 * numbers were checked by their rules in the option table already.
 */
export function pairShard(shardIndex: number | undefined, shardCount: number | undefined): Shard | undefined {
  if (shardIndex === undefined && shardCount === undefined) return undefined;
  if (shardCount === undefined) {
    throw new OptionsError('ShardIncomplete', ['shard index', String(shardIndex), 'shard count'], `shard index "${shardIndex}" needs a shard count too`);
  }
  if (shardIndex === undefined) {
    throw new OptionsError('ShardIncomplete', ['shard count', String(shardCount), 'shard index'], `shard count "${shardCount}" needs a shard index too`);
  }
  if (shardIndex > shardCount) {
    throw new OptionsError(
      'ShardIndexOutOfRange',
      [String(shardIndex), String(shardCount)],
      `shard index "${shardIndex}" is not valid: shards are numbered from 1 to the shard count (${shardCount})`,
    );
  }
  return { index: shardIndex, count: shardCount };
}
