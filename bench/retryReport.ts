/**
 * The report's words for issue 15's timing figures: the throttled runs' retry windows as a
 * table, and how to read the start's round trips and the retry gaps (what the emulator's
 * timestamps do and do not include).
 */
import { n } from './format';
import type { BenchRun } from './results';
import { CLOCK_RESOLUTION_MS, WINDOW } from './retryWindows';
import { SOURCE, TARGET } from './world';

export const START_ROUND_TRIPS_NOTE =
  'Start round trips = sequential waves of requests before the first listing, from the emulator\'s log (testkit/emulator/requestWaves.ts: a request is a wave later than every request answered before it arrived). ' +
  'A request that needs another\'s answer always arrives after it, so the count is never too low; at a few tens of ms per request, two requests sent together may arrive either side of a third one\'s answer and count one wave more, so it is an upper bound (5 or 6 in runs of the same data at 20 ms); the "start at 400 ms" run (one repository, bench/startProbe.ts) measures it where it is exact, as the start-chain test does.';

const ratio = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(2));

/** The retry-window table of the runs that throttle, with how it is measured. */
export function retryWindowSection(bench: BenchRun): string[] {
  const runs = bench.results.filter((x) => x.result.retryWindows !== undefined);
  if (runs.length === 0) return [];
  const slack = runs[0]?.result.retryWindows?.lateSlackMs ?? 0;
  return [
    '### Throttled requests and their retries',
    '',
    `Each request answered 429 with a \`Retry-After\` is matched to the next request with the same identity (importImage: its body — source image, target tags, mode; a registry token request: the scopes asked; any other: method and URL). ` +
      `Gap = the retry's arrival − the refusal's answer, at the emulator: \`startedAt\` is taken when the emulator begins handling a request, before it sleeps the injected latency, and \`finishedAt\` when the answer is flushed, after it — so the gap holds no injected latency, only the client's wait, loopback transport and both processes' event-loop delays. ` +
      'ARM writes meet no 429 of their own here: the tool paces itself by the remaining-writes header ARM answers, even under a budget a quarter of ARM\'s burst and half its refill; the "shared writes" run has the other client\'s spending refuse single import POSTs (bench/sharedWrites.ts). ' +
      `Inside = gap between Retry-After − ${CLOCK_RESOLUTION_MS} ms (the log's millisecond clock) and ${WINDOW.to} × Retry-After + ${slack} ms (transport and event-loop delays on this 2-core machine, the emulator sharing the bench's process).`,
    '',
    '| run | refusals (by route) | retried | inside | early | late | never retried | gap ÷ Retry-After min / median / max |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map(({ label, result: r }) => {
      const w = r.retryWindows!;
      const routes = Object.entries(w.byRoute)
        .map(([route, count]) => `${n(count)} ${route.replace(`acr:${SOURCE} `, 'source ').replace(`acr:${TARGET} `, 'target ').replace(/^arm /, '')}`)
        .join(', ');
      return `| ${label} ${n(r.expected.repositories)} | ${n(w.refusals)}${routes !== '' ? ` (${routes})` : ''} | ${n(w.retried)} | ${n(w.within)} | ${n(w.early)} | ${n(w.late)} | ${n(w.neverRetried)} | ${ratio(w.minRatio)} / ${ratio(w.medianRatio)} / ${ratio(w.maxRatio)} |`;
    }),
    '',
    ...runs.flatMap(({ label, result: r }) =>
      (r.retryWindows?.outside ?? []).length > 0
        ? [`Outside the window in ${label}: ${(r.retryWindows?.outside ?? []).map((g) => `${g.route} ${(g.gapMs / 1000).toFixed(3)} s after a Retry-After of ${g.retryAfterMs / 1000} s (${g.ratio.toFixed(2)}×)`).join('; ')}.`, '']
        : [],
    ),
  ];
}
