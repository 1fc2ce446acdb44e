import type { Clock } from '../engine/clock';
import type { SyncEvents } from '../engine/events';
import type { RequestStats } from '../engine/ports';
import { planOverview } from '../reporting/planOverview';
import { durationText } from '../reporting/texts';
import type { Print } from './render';

/**
 * Where the progress line is drawn: the stream a person's lines go to, written as it is (no
 * line added). `tty` is true only on a terminal that understands `\r` and ESC[2K (not
 * TERM=dumb); `columns`, when known, keeps the line from wrapping (a wrapped line cannot be
 * cleared in place).
 */
export interface Screen {
  tty: boolean;
  columns?: number;
  write(text: string): void;
}

export type ProgressPhase = 'catalog' | 'listing' | 'importing';

/** On a terminal the line is redrawn at most this often (about 4 times a second). */
export const REDRAW_MS = 250;
/** Without a terminal, a plain line at most this often (and at each phase change). */
export const PLAIN_EVERY_MS = 10_000;

/** Back to the start of the line and clear it: the progress line is rewritten in place. */
const CLEAR_LINE = '\r\x1b[2K';

/** What a phase counts, one and many: `1/1 repository`, `12 repositories`. */
const UNIT: Record<ProgressPhase, [string, string]> = { catalog: ['repository', 'repositories'], listing: ['repository', 'repositories'], importing: ['import call', 'import calls'] };
const TITLE: Record<ProgressPhase, string> = { catalog: 'Reading the catalog', listing: 'Listing tags', importing: 'Importing' };

interface PhaseState {
  phase: ProgressPhase;
  startedAt: number;
  done: number;
  total?: number;
  /** Listing: repositories found with something to import so far. */
  withWork: number;
}

export interface ProgressOptions {
  screen: Screen;
  /** Plain lines (no terminal): the same lines a person's other lines go through. */
  print: Print;
  clock: Clock;
  /** The run's request counter so far (cheap: a snapshot of three numbers); undefined when not counted. */
  requests?: () => RequestStats | undefined;
}

/**
 * The command line's progress while the run works: one line per long phase (reading the
 * catalog, listing tags, importing) with done/total, rate, time left and the requests so far.
 * On a terminal the line is rewritten in place at most every REDRAW_MS, cleared before any
 * other line is printed (and drawn again under it), and left with a newline when its phase
 * ends, so the screen keeps one line per phase. Without a terminal it prints a plain line when
 * a phase starts and ends, and at most every PLAIN_EVERY_MS between.
 */
export class ProgressReporter {
  private current: PhaseState | undefined;
  /** A progress line is on the screen, without a newline after it. */
  private shown = false;
  private lastDraw = -Infinity;
  private lastPlain = -Infinity;
  private cancelRedraw: (() => void) | undefined;
  /** The plan's import calls, counted at `planned`. */
  private importCalls: number | undefined;

  constructor(private readonly options: ProgressOptions) {}

  /** Wraps a person's lines: the progress line never shares a line with them. */
  around(print: Print): Print {
    return (line) => {
      if (this.shown) {
        this.options.screen.write(CLEAR_LINE);
        this.shown = false;
      }
      print(line);
      if (this.current !== undefined && this.options.screen.tty) this.redrawSoon();
    };
  }

  /** The engine events that move the line; the plan's own rendering stays with the caller. */
  events(): Required<Pick<SyncEvents, 'catalogProgress' | 'planningStarted' | 'repositoryPlanned' | 'planned' | 'importStarted' | 'importFinished'>> {
    return {
      catalogProgress: (scanned) => {
        if (this.current?.phase !== 'catalog') this.start('catalog', undefined, scanned);
        else this.advance(scanned);
      },
      planningStarted: (selection) => this.start('listing', selection.selected.length),
      repositoryPlanned: (done, total, planned) => {
        if (this.current?.phase !== 'listing') this.start('listing', total);
        if ((planned.plan?.groups.length ?? 0) > 0) this.current!.withWork++;
        this.advance(done);
      },
      planned: (plan) => {
        // Counted here, once: the plan is not kept (the run lets it go as it reports).
        this.importCalls = planOverview(plan).importCalls;
        this.end();
      },
      importStarted: () => {
        if (this.current?.phase === 'importing') return;
        this.start('importing', this.importCalls);
      },
      importFinished: () => {
        if (this.current?.phase === 'importing') this.advance(this.current.done + 1);
      },
    };
  }

  /** Ends the phase in progress (the run is over, or failed): its last state stays on the screen. */
  finish(): void {
    this.end();
  }

  private start(phase: ProgressPhase, total?: number, done = 0): void {
    this.end();
    this.current = { phase, startedAt: this.options.clock.now(), done, withWork: 0, ...(total !== undefined ? { total } : {}) };
    if (this.options.screen.tty) this.draw();
    else this.plain();
  }

  private advance(done: number): void {
    const state = this.current!;
    state.done = done;
    if (this.options.screen.tty) this.redrawSoon();
    else if (this.options.clock.now() - this.lastPlain >= PLAIN_EVERY_MS) this.plain();
  }

  private end(): void {
    if (this.current === undefined) return;
    this.cancelRedraw?.();
    this.cancelRedraw = undefined;
    const text = this.text(true);
    this.current = undefined;
    if (this.options.screen.tty) {
      this.options.screen.write(`${CLEAR_LINE}${this.fit(text)}\n`);
      this.shown = false;
    } else this.options.print(text);
  }

  /** Draws now if the last draw is REDRAW_MS old, else once when it is. */
  private redrawSoon(): void {
    const since = this.options.clock.now() - this.lastDraw;
    if (since >= REDRAW_MS) {
      this.draw();
      return;
    }
    if (this.cancelRedraw !== undefined) return;
    this.cancelRedraw = this.options.clock.after(REDRAW_MS - since, () => {
      this.cancelRedraw = undefined;
      if (this.current !== undefined) this.draw();
    });
  }

  private draw(): void {
    this.cancelRedraw?.();
    this.cancelRedraw = undefined;
    this.options.screen.write(`${CLEAR_LINE}${this.fit(this.text(false))}`);
    this.shown = true;
    this.lastDraw = this.options.clock.now();
  }

  private plain(): void {
    this.options.print(this.text(false));
    this.lastPlain = this.options.clock.now();
  }

  private fit(text: string): string {
    const columns = this.options.screen.columns;
    return columns !== undefined && columns > 1 && text.length >= columns ? `${text.slice(0, columns - 2)}…` : text;
  }

  /** `Listing tags: 120/200 repositories (15 with work), 95/s, about 1 s left, 250 requests (0 throttled)` */
  private text(ended: boolean): string {
    const state = this.current!;
    const elapsed = this.options.clock.now() - state.startedAt;
    const parts = [`${TITLE[state.phase]}: ${state.done}${state.total !== undefined ? `/${state.total}` : ''} ${UNIT[state.phase][(state.total ?? state.done) === 1 ? 0 : 1]}${state.phase === 'listing' ? ` (${state.withWork} with work)` : ''}`];
    // A rate over less than a redraw's time says nothing (a catalog page of 200 names in 1 ms).
    const perSecond = elapsed >= REDRAW_MS ? (state.done * 1000) / elapsed : undefined;
    if (ended) parts.push(`done in ${durationText(elapsed)}`);
    if (perSecond !== undefined && state.done > 0) parts.push(`${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`);
    if (!ended && perSecond !== undefined && perSecond > 0 && state.total !== undefined && state.done < state.total) {
      // Rounded up: work is left, so never `0 s`.
      parts.push(`about ${Math.max(1, Math.ceil((state.total - state.done) / perSecond))} s left`);
    }
    const requests = this.options.requests?.();
    if (requests !== undefined) parts.push(`${requests.requests} requests (${requests.throttled} throttled)`);
    return parts.join(', ');
  }
}
