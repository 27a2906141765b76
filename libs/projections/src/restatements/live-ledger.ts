import { CurrencyCode, eventKey } from '@capflow/contracts';
import { formatAmount } from '@capflow/ledger';
import { codePointOrder } from '../balances/balances.projection';
import { postingsOf } from '../balances/postings';
import { CashMove, LedgerView } from '../view/ledger-view';
import { moneyOfEvent } from '../view/money-of-event';
import type { ViewEvent } from '../view/view-event';
import type { RestatedFigure, Restatement } from './restatement';

/** How many of the latest cash moves can be wound back; a fact later than that re-traces from the start. */
const REACHABLE_MOVES = 50_000;

type Figures = Map<string, { currency: CurrencyCode; values: Record<string, bigint> }>;

/**
 * The ledger as the projector keeps it: facts arrive in position order (as they were recorded),
 * but the pools must see them in business order. Effects that do not depend on order are applied
 * as facts arrive; cash moves are kept on a tape in business order, and the pools journal how to
 * undo each change, so that a fact arriving late (or a reversal) winds the pools back to its
 * business time, goes in, and the moves after it are replayed. Every late fact and reversal
 * yields a Restatement: the figures it changed, as of the latest business time known when it arrived.
 */
export class LiveLedger {
  readonly view: LedgerView;
  private readonly tape: CashMove[] = [];
  /** marks[i]: the journal's mark just before tape[i] was applied. */
  private readonly marks: number[] = [];
  private frontierKey = '';
  private frontierText = '';
  /** Where each cash move is on the tape is found by its (key, position): business order. */
  private readonly cashKeys = new Map<string, { key: string; position: number }>();
  private removedKey: { key: string; position: number } | null = null;

  /** `groups`: parties' groups known beforehand (a warm-up in business order needs them first). */
  constructor(groups: ReadonlyMap<string, string> = new Map()) {
    this.view = new LedgerView(groups);
    this.view.journal.enabled = true;
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
    if (move) {
      this.cashKeys.set(eventKey(viewEvent.event.eventId), { key: move.key, position: move.position });
      this.play(move);
    }
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
   * reverses. Returns the restatement the fact caused, if it is late or a reversal.
   */
  apply(viewEvent: ViewEvent, reversalTarget?: ViewEvent): Restatement | null {
    const { event } = viewEvent;
    const frontier = this.frontierText;
    if (event.type === 'EventReversed') {
      if (!reversalTarget) throw new Error(`the target of reversal ${event.eventId} is needed`);
      const before = this.figures(reversalTarget);
      this.view.account(reversalTarget, -1n);
      const tapeKey = this.cashKeys.get(eventKey(reversalTarget.event.eventId));
      if (tapeKey) {
        this.removedKey = tapeKey;
        this.retrace(this.indexOf(tapeKey.key, tapeKey.position), null);
      }
      this.advanceFrontier(viewEvent);
      return this.restatement(viewEvent, 'reversal', reversalTarget, before, frontier);
    }

    const late = viewEvent.occurredKey < this.frontierKey;
    const before = late ? this.figures(viewEvent) : null;
    this.view.applied += 1;
    this.view.register(viewEvent);
    this.view.account(viewEvent, 1n);
    const move = this.view.cashMoveOf(viewEvent);
    if (move) {
      this.cashKeys.set(eventKey(event.eventId), { key: move.key, position: move.position });
      const index = this.indexOf(move.key, move.position);
      if (index === this.tape.length) this.play(move);
      else this.retrace(index, move);
    }
    this.advanceFrontier(viewEvent);
    return before ? this.restatement(viewEvent, 'late', viewEvent, before, frontier) : null;
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
    this.marks.push(this.view.journal.mark);
    this.tape.push(move);
    this.view.applyMove(move);
    if (this.marks.length % 1024 === 0 && this.marks.length > REACHABLE_MOVES) {
      this.view.journal.forget(this.marks[this.marks.length - REACHABLE_MOVES]);
    }
  }

  /**
   * Inserts `move` at `index` (or, with null, removes the move there), winding the pools back to
   * just before that point and replaying the moves after it.
   */
  private retrace(index: number, move: CashMove | null): void {
    const journal = this.view.journal;
    const mark = index < this.marks.length ? this.marks[index] : journal.mark;
    let rest = this.tape.splice(index);
    this.marks.length = index;
    if (mark >= journal.oldestMark) {
      journal.rollback(mark);
    } else {
      // too late to wind back: empty pools, and the whole tape again
      this.view.resetTracing();
      journal.forget(journal.mark);
      rest = this.tape.splice(0).concat(rest);
      this.marks.length = 0;
    }
    if (move) rest.splice(this.indexIn(rest, move.key, move.position), 0, move);
    else rest.splice(this.indexIn(rest, this.removedKey!.key, this.removedKey!.position), 1);
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

  /** The figures a fact can change: its parties' accounts, and every investment's round trip. */
  private figures(fact: ViewEvent): Figures {
    const figures: Figures = new Map();
    const money = moneyOfEvent(fact.event);
    if (money) {
      for (const posting of postingsOf(fact.event, this.view.registry)) {
        for (const account of [posting.debit, posting.credit]) {
          const balance = this.view.balances.balance(posting.partyId, money.currency, account);
          figures.set(`balances ${posting.partyId} ${money.currency} ${account}`, { currency: money.currency, values: { value: balance } });
        }
      }
    }
    const flows = this.view.investmentFlows;
    // by id: the registry's order depends on how it was filled (recorded order, or a warm-up in
    // business order), and restatements must come out the same either way
    const investments = [...this.view.registry.investments.values()].sort((a, b) => codePointOrder(a.investmentId, b.investmentId));
    for (const investment of investments) {
      const id = investment.investmentId;
      const fifo = this.view.tracers.fifo.returned(id);
      const proRata = this.view.tracers.pro_rata.returned(id);
      figures.set(`round-trips ${id}`, {
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

  private restatement(fact: ViewEvent, kind: 'late' | 'reversal', restated: ViewEvent, before: Figures, frontier: string): Restatement {
    const after = this.figures(restated);
    const changes: RestatedFigure[] = [];
    for (const [key, { currency, values }] of after) {
      const old = before.get(key)?.values ?? {};
      for (const [field, value] of Object.entries(values)) {
        const previous = old[field] ?? 0n;
        if (previous === value) continue;
        const amounts = {
          before: formatAmount(previous, currency),
          after: formatAmount(value, currency),
          delta: formatAmount(value - previous, currency),
        };
        const [report, ...rest] = key.split(' ');
        if (report === 'balances') {
          changes.push({ report: 'balances', partyId: rest[0], currency, account: rest[2], ...amounts });
        } else {
          const [policy, name] = field.includes(' ') ? field.split(' ') : [null, field];
          changes.push({
            report: 'round-trips',
            policy: policy as 'fifo' | 'pro_rata' | null,
            investmentId: rest[0],
            currency,
            field: name as Extract<RestatedFigure, { report: 'round-trips' }>['field'],
            ...amounts,
          });
        }
      }
    }
    const { event } = fact;
    return {
      position: fact.position,
      eventId: event.eventId,
      type: event.type,
      occurredAt: event.occurredAt,
      recordedAt: fact.recordedAt,
      kind,
      restatedFrom: restated.event.occurredAt,
      frontier,
      reversedEventId: kind === 'reversal' ? restated.event.eventId : null,
      changes,
    };
  }
}
