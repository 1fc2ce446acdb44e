/**
 * A count with its words in the right number — "1 tag", "2 tags", "1 repository still has
 * work" — for the English outputs (the command line, the Markdown report). The task words the
 * same phrases through its `Count_*_one` / `Count_*_other` messages (task/counts.ts).
 */
export const COUNT_PHRASES = {
  tags: ['tag', 'tags'],
  repositories: ['repository', 'repositories'],
  minutes: ['minute', 'minutes'],
  importCalls: ['import call', 'import calls'],
  stillWork: ['repository still has work', 'repositories still have work'],
  haveWork: ['repository has work', 'repositories have work'],
  notListed: ['repository was not listed', 'repositories were not listed'],
} as const;

export type CountPhrase = keyof typeof COUNT_PHRASES;

/** English grammatical number: one for exactly 1, other for everything else (0 tags). */
export function pluralCategory(n: number): 'one' | 'other' {
  return n === 1 ? 'one' : 'other';
}

export function counted(n: number, phrase: CountPhrase): string {
  const [one, other] = COUNT_PHRASES[phrase];
  return `${n} ${pluralCategory(n) === 'one' ? one : other}`;
}
