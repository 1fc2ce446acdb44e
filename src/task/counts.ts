import * as tl from 'azure-pipelines-task-lib/task';
import { pluralCategory, type CountPhrase } from '../reporting/counts';

/**
 * A count and its words, localised: task.json holds `Count_<phrase>_one` ("%s tag") and
 * `Count_<phrase>_other` ("%s tags") for every phrase, so a message never reads "1 tags".
 */
export function countText(n: number, phrase: CountPhrase): string {
  return tl.loc(`Count_${phrase}_${pluralCategory(n)}`, String(n));
}
