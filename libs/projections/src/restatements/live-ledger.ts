import { CurrencyCode, instantKey } from '@capflow/contracts';
import { formatAmount } from '@capflow/ledger';
import { codePointOrder } from '../balances/balances.projection';
import { postingsOf } from '../balances/postings';
import { CashMove, LedgerView, TracingState } from '../view/ledger-view';
import { moneyOfEvent } from '../view/money-of-event';
import type { ViewEvent } from '../view/view-event';
import type { RestatedFigure, Restatement, RestatingFact } from './restatement';

/** The pools are saved every this many cash moves, so that a late fact re-traces from the nearest save. */
const SAVE_EVERY = 8192;
/**
 * Saves kept: the newest half every SAVE_EVERY moves, older ones thinned to every other each time
 * the count is reached, so that they thin out geometrically towards the start of the tape: a fact
 * re-traces from a save about as far back as it is late, never the whole tape for lack of one.
 */
const SAVES_KEPT = 8;

/**
 * The ledger as the projector keeps it: facts arrive in position order (as they were recorded),
 * but the pools must see them in business order. Effects that do not depend on order are applied
 * as facts arrive; cash moves are kept on a tape in business order, and the pools are saved every
 * few thousand moves, so that a fact arriving late (or a reversal) winds the pools back to the
 * last save before its business time, goes in, and the moves after that save are replayed. Every
 * late fact and reversal yields a Restatement: the figures it changed, as of the latest business
 * time known when it arrived.
 */
export class LiveLedger {
  readonly view: LedgerView;
  private readonly tape: CashMove[] = [];
  /** The pools as they were just before tape[index], oldest first. */
  private saves: { index: number; state: TracingState }[] = [];
  private frontierKey = '';
  private frontierText = '';
  private step: Step | null = null;

  /** `groups`: parties' groups known beforehand (a warm-up in business order needs them first). */
  constructor(groups: ReadonlyMap<string, string> = new Map()) {
    this.view = new LedgerView(groups);
  }

  /**
   * Rebuilds the state of a projector that had applied every known event, from those events in
   * business order (reversed ones and reversals left out, see appliesTo): the same pools, tape and
   * figures, without re-tracing for every late fact on the way. `frontier`: the latest business
   * time among all the known events, reversed or not.
   */
  warm(viewEvent: ViewEvent): void {
    this.view.applied += 1;
    this.view.register(viewEvent);
    this.view.account(viewEvent, 1n);
    const move = this.view.cashMoveOf(viewEvent);
    if (move) this.play(move);
  }

  /** The latest business time known, as a warm-up found it. */
  setFrontier(key: string, text: string): void {
    if (key >= this.frontierKey) {
      this.frontierKey = key;
      this.frontierText = text;
    }
  }

  /**
   * Applies the next fact in position order. `reversalTarget`: for an EventReversed, the event it
   * reverses. Facts recorded together (one recordedAt) are one step: when a fact opens the next
   * step, the previous one is closed and its restatement, if it had late facts or reversals, is
   * returned. `close()` closes the last step.
   */
  apply(viewEvent: ViewEvent, reversalTarget?: ViewEvent): Restatement | null {
    const closed = this.step && this.step.recordedAt !== viewEvent.recordedAt ? this.close() : null;
    this.step ??= {
      recordedAt: viewEvent.recordedAt,
      frontier: null,
      facts: [],
      effects: [],
      reordered: [],
      moves: [],
      removals: [],
    };
    const step = this.step;
    const { event } = viewEvent;
    if (event.type === 'EventReversed') {
      if (!reversalTarget) throw new Error(`the target of reversal ${event.eventId} is needed`);
      step.frontier ??= this.frontierText;
      step.facts.push(this.fact(viewEvent, 'reversal', reversalTarget, () => this.view.account(reversalTarget, -1n)));
      step.effects.push({ viewEvent: reversalTarget, sign: -1n });
      // a fact's cash move is found by its (occurredKey, position), in the step or on the tape
      const { occurredKey: key, position } = reversalTarget;
      const late = step.moves.findIndex((move) => move.position === position);
      const reordered = step.reordered.findIndex((move) => move.position === position);
      if (late >= 0) step.moves.splice(late, 1);
      else if (reordered >= 0) step.reordered.splice(reordered, 1);
      else if (this.tape[this.indexOf(key, position)]?.position === position) step.removals.push({ key, position });
      this.advanceFrontier(viewEvent);
      return closed;
    }
    // late: earlier than a fact already recorded, in this append or before it
    const late = viewEvent.occurredKey < this.frontierKey;
    const apply = () => {
      this.view.applied += 1;
      this.view.register(viewEvent);
      this.view.account(viewEvent, 1n);
    };
    if (late) {
      step.frontier ??= this.frontierText;
      step.facts.push(this.fact(viewEvent, 'late', viewEvent, apply));
      step.effects.push({ viewEvent, sign: 1n });
    } else apply();
    const move = this.view.cashMoveOf(viewEvent);
    if (move) {
      if (late) step.moves.push(move);
      else if (this.indexOf(move.key, move.position) < this.tape.length) step.reordered.push(move);
      else this.play(move);
    }
    this.advanceFrontier(viewEvent);
    return closed;
  }

  /**
   * Closes the step under way: the late moves go into the tape and the reversed ones out of it, the
   * pools are wound back once to the earliest of them and the rest replayed. The restatement
   * compares the round trips before and after that, as of the business time the step began at.
   */
  close(): Restatement | null {
    const step = this.step;
    this.step = null;
    if (!step) return null;
    // on-time facts that fell between others of the same step are not restatements: in first
    this.merge(step.reordered, []);
    if (step.facts.length === 0) return null;
    // before: the ledger with the step's on-time facts only (the late ones' order-free effects
    // taken out again for a moment, their cash moves not yet in the pools)
    for (const { viewEvent, sign } of step.effects) this.view.account(viewEvent, sign === 1n ? -1n : 1n);
    const before = this.roundTripFigures();
    for (const { viewEvent, sign } of step.effects) this.view.account(viewEvent, sign);
    this.merge(step.moves, step.removals);
    const restatedFrom = step.facts.map((f) => f.restatedFrom).reduce((a, b) => (instantKey(a) <= instantKey(b) ? a : b));
    return {
      position: step.facts[0].position,
      recordedAt: step.recordedAt,
      frontier: step.frontier ?? '',
      restatedFrom,
      facts: step.facts,
      roundTrips: diffRoundTrips(before, this.roundTripFigures()),
    };
  }

  /** Moves into the tape and reversed ones out of it, with one re-trace from the earliest. */
  private merge(moves: readonly CashMove[], removals: readonly TapeKey[]): void {
    if (moves.length === 0 && removals.length === 0) return;
    const from = Math.min(...removals.map((r) => this.indexOf(r.key, r.position)), ...moves.map((m) => this.indexOf(m.key, m.position)));
    this.retrace(from, moves, removals);
  }

  private fact(viewEvent: ViewEvent, kind: 'late' | 'reversal', restated: ViewEvent, change: () => void): RestatingFact {
    const before = this.accountFigures(restated);
    change();
    const { event } = viewEvent;
    return {
      position: viewEvent.position,
      eventId: event.eventId,
      type: event.type,
      occurredAt: event.occurredAt,
      kind,
      reversedEventId: kind === 'reversal' ? restated.event.eventId : null,
      restatedFrom: restated.event.occurredAt,
      balances: diffBalances(before, this.accountFigures(restated)),
    };
  }

  private advanceFrontier({ occurredKey, event }: ViewEvent): void {
    if (occurredKey >= this.frontierKey) {
      this.frontierKey = occurredKey;
      this.frontierText = event.occurredAt;
    }
  }

  /** First tape index whose (key, position) is at or after the given one. */
  private indexOf(key: string, position: number): number {
    return this.indexIn(this.tape, key, position);
  }

  /** Applies a move at the end of the tape. */
  private play(move: CashMove): void {
    const length = this.tape.length;
    if (length % SAVE_EVERY === 0 && length > 0 && this.saves[this.saves.length - 1]?.index !== length) {
      this.saves.push({ index: this.tape.length, state: this.view.saveTracing() });
      if (this.saves.length > SAVES_KEPT) this.thinSaves();
    }
    this.tape.push(move);
    this.view.applyMove(move);
  }

  /** Drops every other save of the older half, keeping the oldest. */
  private thinSaves(): void {
    const older = this.saves.length >> 1;
    this.saves = this.saves.filter((_, i) => i >= older || i % 2 === 0);
  }

  /**
   * Winds the pools back to just before tape index `from`, puts `inserts` in and takes `removals`
   * out, and replays every move from there.
   */
  private retrace(from: number, inserts: readonly CashMove[], removals: readonly TapeKey[]): void {
    let save = this.saves.length - 1;
    while (save >= 0 && this.saves[save].index > from) save -= 1;
    let start = 0;
    if (save >= 0) {
      start = this.saves[save].index;
      this.view.restoreTracing(this.saves[save].state);
      // the save at `start` stays right: nothing before tape[start] changes
      this.saves.length = save + 1;
    } else {
      // too late to wind back: empty pools, and the whole tape again
      this.view.resetTracing();
      this.saves = [];
    }
    const rest = this.tape.splice(start);
    for (const removal of removals) rest.splice(this.indexIn(rest, removal.key, removal.position), 1);
    for (const move of inserts) rest.splice(this.indexIn(rest, move.key, move.position), 0, move);
    for (const next of rest) this.play(next);
  }

  private indexIn(moves: readonly CashMove[], key: string, position: number): number {
    let low = 0;
    let high = moves.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const entry = moves[middle];
      if (entry.key < key || (entry.key === key && entry.position < position)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The balances a fact's postings touch. */
  private accountFigures(fact: ViewEvent): Map<string, { currency: CurrencyCode; value: bigint }> {
    const figures = new Map<string, { currency: CurrencyCode; value: bigint }>();
    const money = moneyOfEvent(fact.event);
    if (!money) return figures;
    for (const posting of postingsOf(fact.event, this.view.registry)) {
      for (const account of [posting.debit, posting.credit]) {
        figures.set(`${posting.partyId} ${money.currency} ${account}`, {
          currency: money.currency,
          value: this.view.balances.balance(posting.partyId, money.currency, account),
        });
      }
    }
    return figures;
  }

  /** Every investment's round-trip figures, by id. */
  private roundTripFigures(): Map<string, { currency: CurrencyCode; values: Record<string, bigint> }> {
    const figures = new Map<string, { currency: CurrencyCode; values: Record<string, bigint> }>();
    const flows = this.view.investmentFlows;
    // by id: the registry's order depends on how it was filled (recorded order, or a warm-up in
    // business order), and restatements must come out the same either way
    const investments = [...this.view.registry.investments.values()].sort((a, b) => codePointOrder(a.investmentId, b.investmentId));
    for (const investment of investments) {
      const id = investment.investmentId;
      const fifo = this.view.tracers.fifo.returned(id);
      const proRata = this.view.tracers.pro_rata.returned(id);
      figures.set(id, {
        currency: investment.currency,
        values: {
          fundedCash: flows.fundedCash.get(id) ?? 0n,
          fundedCredits: flows.fundedCredits.get(id) ?? 0n,
          returnedCredits: flows.returnedCredits.get(id) ?? 0n,
          'fifo returnedCash': fifo.cash,
          'fifo returnedCapital': fifo.capital,
          'pro_rata returnedCash': proRata.cash,
          'pro_rata returnedCapital': proRata.capital,
        },
      });
    }
    return figures;
  }
}

interface TapeKey {
  key: string;
  position: number;
}

/** Facts recorded together, while they are being applied. */
interface Step {
  recordedAt: string;
  /** The latest business time known when the first restating fact of the step arrived. */
  frontier: string | null;
  facts: RestatingFact[];
  /** The late facts, and the targets of the reversals (sign −1): their effects that do not depend on order. */
  effects: { viewEvent: ViewEvent; sign: 1n | -1n }[];
  /** On-time cash moves that fall before others of the same step. */
  reordered: CashMove[];
  /** The late facts' cash moves. */
  moves: CashMove[];
  /** Cash moves reversed, to come out of the tape. */
  removals: TapeKey[];
}

function diffBalances(
  before: Map<string, { currency: CurrencyCode; value: bigint }>,
  after: Map<string, { currency: CurrencyCode; value: bigint }>,
): RestatedFigure[] {
  const changes: RestatedFigure[] = [];
  for (const [key, { currency, value }] of after) {
    const previous = before.get(key)?.value ?? 0n;
    if (previous === value) continue;
    const [partyId, , account] = key.split(' ');
    changes.push({ report: 'balances', partyId, currency, account, ...amounts(previous, value, currency) });
  }
  return changes;
}

function diffRoundTrips(
  before: Map<string, { currency: CurrencyCode; values: Record<string, bigint> }>,
  after: Map<string, { currency: CurrencyCode; values: Record<string, bigint> }>,
): RestatedFigure[] {
  const changes: RestatedFigure[] = [];
  for (const [investmentId, { currency, values }] of after) {
    const old = before.get(investmentId)?.values ?? {};
    for (const [field, value] of Object.entries(values)) {
      const previous = old[field] ?? 0n;
      if (previous === value) continue;
      const [policy, name] = field.includes(' ') ? field.split(' ') : [null, field];
      changes.push({
        report: 'round-trips',
        policy: policy as 'fifo' | 'pro_rata' | null,
        investmentId,
        currency,
        field: name as Extract<RestatedFigure, { report: 'round-trips' }>['field'],
        ...amounts(previous, value, currency),
      });
    }
  }
  return changes;
}

function amounts(before: bigint, after: bigint, currency: CurrencyCode) {
  return { before: formatAmount(before, currency), after: formatAmount(after, currency), delta: formatAmount(after - before, currency) };
}
