import { parseNumber } from './numberOption';
import { OptionsError } from './optionsError';
import type { Shard } from './sharding';

/**
 * Shard index and count come together or not at all: an index alone would silently select a
 * fraction of the registry. The index is 1-based, as Azure DevOps numbers parallel jobs.
 */
export function parseShard(index: string | number | undefined, count: string | number | undefined): Shard | undefined {
  const shardCount = parseNumber(count, { label: 'shard count', min: 1, integer: true, hint: 'give a whole number of at least 1' });
  const shardIndex = parseNumber(index, { label: 'shard index', min: 1, integer: true, hint: 'give a whole number from 1 to the shard count' });
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
