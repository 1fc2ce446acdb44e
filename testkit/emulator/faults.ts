/**
 * Scripted faults. Each rule watches one route (optionally only URLs containing a substring),
 * lets its first `after` matching requests through and then fires `times` times. Every rule
 * counts its own matches, so rules on the same route do not disturb each other's counting;
 * when several would fire on one request, the earliest added wins.
 *
 * An import fault (`importFails`, `importHangs`) only counts as fired when an operation
 * actually starts: a POST refused before that (401, 403, 404, 400, 429) gives it back, so a
 * throttled import does not use up the fault meant for the import. Likewise a fault on the
 * route's own answer (`stall`, `endlessPaging`, `oversized`) only counts when that answer is a
 * 200: a challenge or an error goes out as usual and gives it back.
 */
import type { FaultRule, RouteName } from './api';

interface RuleState {
  rule: FaultRule;
  seen: number;
  fired: number;
}

export class FaultBook {
  private rules: RuleState[] = [];

  add(rule: FaultRule): void {
    if ((rule.after ?? 0) < 0 || (rule.times ?? 1) < 0) throw new Error('fault after/times must not be negative');
    if (rule.kind === 'oversized' && !(rule.bytes >= 0)) throw new Error('an oversized fault needs bytes ≥ 0');
    if (rule.kind === 'stall' && (rule.afterBytes ?? 0) < 0) throw new Error('a stall fault needs afterBytes ≥ 0');
    this.rules.push({ rule, seen: 0, fired: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Gives back one firing of a rule that fired on a request that did not use it. */
  refund(rule: FaultRule): void {
    const state = this.rules.find((s) => s.rule === rule);
    if (state && state.fired > 0) state.fired -= 1;
  }

  /** The fault to apply to this request, if any (and counts the request against every rule). */
  take(service: string, route: RouteName, url: string): FaultRule | undefined {
    let chosen: RuleState | undefined;
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.route !== route || (rule.service !== undefined && rule.service !== service)) continue;
      if (rule.urlIncludes !== undefined && !url.includes(rule.urlIncludes)) continue;
      state.seen += 1;
      const eligible = state.seen > (rule.after ?? 0) && state.fired < (rule.times ?? 1);
      if (eligible && !chosen) chosen = state;
    }
    if (chosen) chosen.fired += 1;
    return chosen?.rule;
  }
}
