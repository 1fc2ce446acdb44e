import { OptionsError } from './optionsError';

/** How a numeric option is checked, and the hint its message gives. */
export interface NumberRule {
  label: string;
  /** Smallest value allowed (inclusive), or, with `exclusive`, the bound a value must exceed. */
  min: number;
  exclusive?: boolean;
  max?: number;
  integer: boolean;
  hint: string;
}

/**
 * Numbers arrive as text from flags and task inputs. Empty means "not given"; anything else must
 * be a plain decimal within the rule, or it is bad input with a one-line message naming it.
 */
export function parseNumber(value: string | number | undefined, rule: NumberRule): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  const n = Number(text);
  const aboveMin = rule.exclusive === true ? n > rule.min : n >= rule.min;
  const ok =
    /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) && Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && aboveMin && (rule.max === undefined || n <= rule.max);
  if (!ok) {
    throw new OptionsError('NumberInvalid', [rule.label, text, rule.hint], `${rule.label} "${text}" is not valid: ${rule.hint}`);
  }
  return n;
}
