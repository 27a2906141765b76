import { RejectionCode } from '@capflow/contracts';
import type { IngestionService, IngestItem, IngestOutcome } from '@capflow/ingestion';
import { deadLetterRecord, Delivery, deliveryOf, notBeforeOf, retryRecord } from './dead-letter';
import { BatchOutcome, InboundBatch, InboundMessage, OutboundRecord } from './kafka-message';
import type { RecordPublisher } from './kafka-client';
import type { KafkaSettings } from './kafka-settings';

/** What a batch did, for metrics and logs. */
export interface IngestedBatch {
  topic: string;
  /** -1 when no partition batch was decided: held facts sent to the retry topic once the consumer was idle. */
  partition: number;
  /** Records in its store transaction: the batch's due records, and the held facts decided again with them. */
  size: number;
  seconds: number;
  /** Records behind the last one handled in this partition. */
  lag: number;
  outcomes: IngestOutcome[];
  retried: number;
  deadLettered: number;
  /** With Holding: unknown_reference facts of this transaction kept in memory for later transactions. */
  held?: number;
  /** Held facts sent to the retry topic without being decided again (no batch came): counted in `retried` too. */
  released?: number;
}

/**
 * Holding `unknown_reference` facts in memory for a few later batches before the retry topic. On a
 * topic of several partitions, a fact often arrives before the fact it refers to, which is in the
 * batch of another partition handed over next: decided again with the following transactions, it
 * is usually stored within a batch or two, where the retry topic would cost a publish, a consume
 * and a backoff of a second or more per attempt.
 */
export interface Holding {
  /** Later transactions a held fact is decided again with before it goes to the retry topic. */
  rounds: number;
  /** Facts held at most at once (each keeps a copy of its record); beyond, they go to the retry topic at once. */
  facts: number;
  /** Held facts decided again in one transaction at most (the oldest first): a transaction stays short enough for the group's heartbeats. */
  carry: number;
  /** When no batch was handed over for this long, the held facts go to the retry topic (at most the first backoff). */
  idleMs: number;
}

/** A first delivery of the input topic refused as unknown_reference, waiting in memory. */
interface HeldFact {
  /** The record, its key, value and headers copied (a fetch's buffers are not kept alive by it). */
  message: InboundMessage;
  delivery: Delivery;
  item: IngestItem;
  /** Transactions it was decided again with. */
  rounds: number;
  /** The last transaction before the one it was last decided in: what that one stored may change its answer. */
  decidedAt: number;
  detail: string;
  /** Once it is stored, or acknowledged on the retry or dead-letter topic: its batch's offset may then be committed. */
  settle: () => void;
  fail: (error: unknown) => void;
  settled: Promise<void>;
}

const EMPTY = Buffer.alloc(0);

/**
 * The last transaction whose stored facts a fact refused at `index` of transaction `seq` has seen:
 * `seq`, unless this transaction stored something after deciding it (which may change its answer).
 * `lastAccepted`: the index of the transaction's last accepted fact (-1: none).
 */
function decidedAt(seq: number, index: number, lastAccepted: number): number {
  return index < lastAccepted ? seq - 1 : seq;
}

function lastAcceptedOf(outcomes: IngestOutcome[]): number {
  for (let index = outcomes.length - 1; index >= 0; index--) if (outcomes[index].status === 'accepted') return index;
  return -1;
}

const DONE: Promise<void> = Promise.resolve();

/**
 * A handed-over batch's `appended` and `durable`, from its routing (which resolves to its held
 * facts). Made here, out of handOver's scope: a closure made there would keep the batch's records
 * alive for as long as its held facts wait.
 */
function completion(routed: Promise<HeldFact[]>): { appended: Promise<void>; durable: Promise<void> } {
  const appended = routed.then(() => undefined);
  appended.catch(() => undefined); // the same failure as durable's, which whoever commits observes
  const durable = routed.then((held) => Promise.all(held.map((fact) => fact.settled)).then(() => undefined));
  return { appended, durable };
}
const TICK_MS = 100;
/** A loop that ran no timer for this long is busy with back-to-back transactions: let it turn. */
const LOOP_STALE_MS = 500;

/**
 * Kafka's side of the ingestion use case: a partition batch goes through IngestionService in one
 * store transaction, like a file import; then each rejected record is published to the retry topic
 * (`unknown_reference`, while attempts remain: the fact it refers to may be on its way on another
 * partition) or to the dead-letter topic (everything else). A batch is done (its offsets may be
 * committed) only once the append and those publishes are durable.
 *
 * With Holding, a first delivery refused as `unknown_reference` is first kept in memory and
 * decided again with the next transactions (after their own records, so the facts it may refer to
 * come first); once stored its batch is done, and after `rounds` transactions, when the consumer is
 * idle, or beyond `facts`, it goes to the retry topic as it would have at once. Its batch is done
 * only when every held fact of it is stored or acknowledged on the retry or dead-letter topic, so
 * its partition's offset never passes a fact that is only in memory: a crash delivers it again.
 */
export class KafkaIngestion {
  /** Per partition, the last batch handed to the ingestion: its last offset, and whether it was stored. */
  private readonly lastOf = new Map<string, { lastOffset: bigint; stored: Promise<void> }>();
  /** Held facts waiting for the next transaction. */
  private held: HeldFact[] = [];
  /** Held facts alive: waiting, or being decided again. */
  private holding = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Transactions handed to the ingestion so far, and those not settled yet. */
  private transactions = 0;
  private pending = 0;
  /** The last transaction that stored something. */
  private changedAt = 0;
  /** When the event loop last ran timers (see loopTurned). */
  private ticker: NodeJS.Timeout | null = null;
  private turnedAt = 0;

  constructor(
    private readonly ingestion: IngestionService,
    private readonly publisher: RecordPublisher,
    private readonly settings: KafkaSettings,
    private readonly now: () => Date = () => new Date(),
    private readonly observe: (batch: IngestedBatch) => void = () => undefined,
    private readonly hold: Holding | null = null,
  ) {}

  /** Handles a batch and resolves once every record of it is durable (stored, or on the retry or dead-letter topic). */
  async handle(batch: InboundBatch): Promise<BatchOutcome> {
    const { durable, appended: _appended, ...outcome } = this.handOver(batch);
    await durable;
    return outcome;
  }

  /**
   * Hands a batch over and returns at once, its records parsed: `appended` resolves once its
   * transaction and publishes are done, `durable` once every record of it is stored or on the
   * retry or dead-letter topic (later than `appended` when some of them are held). The consumer
   * commits the offsets after `durable`, and fetches the next batch meanwhile. The append waits
   * its turn; a partition's batch is decided only if the partition's previous batch was stored (a
   * batch delivered again, at or before an offset already handed over, starts afresh), so a
   * partition's facts are decided in their order even when a batch fails and is delivered again.
   */
  handOver(batch: InboundBatch): BatchOutcome & { durable: Promise<void>; appended: Promise<void> } {
    if (batch.messages.length === 0) return { handled: 0, durable: DONE, appended: DONE };
    const started = process.hrtime.bigint();
    const now = this.now();
    // On the retry topic, records wait for their time; the first one not due ends this batch.
    let due = batch.messages.length;
    if (batch.topic === this.settings.retryTopic) {
      const waiting = batch.messages.findIndex((message) => notBeforeOf(message) > now.getTime());
      if (waiting >= 0) due = waiting;
    }
    const messages = due === batch.messages.length ? batch.messages : batch.messages.slice(0, due);
    const retryAfterMs = due === batch.messages.length ? undefined : Math.max(0, notBeforeOf(batch.messages[due]) - now.getTime());
    const outcome = retryAfterMs === undefined ? { handled: due } : { handled: due, retryAfterMs };

    let routed: Promise<HeldFact[]>;
    if (messages.length === 0) routed = this.route(batch, messages, [], [], now, started);
    else {
      const key = `${batch.topic}|${batch.partition}`;
      const previous = this.lastOf.get(key);
      const follows = previous && previous.lastOffset < BigInt(messages[0].offset) ? previous.stored : null;
      const transaction = this.decide(
        messages.map((message) => this.itemOf(message)),
        follows,
      );
      const stored = transaction.outcomes.then(() => undefined);
      stored.catch(() => undefined); // awaited in the next batch's turn, if any
      this.lastOf.set(key, { lastOffset: BigInt(messages[messages.length - 1].offset), stored });
      routed = transaction.outcomes.then((outcomes) =>
        this.route(batch, messages, transaction.carried, outcomes, now, started, transaction.seq),
      );
    }
    return { ...outcome, ...completion(routed) };
  }

  /**
   * One store transaction: the items, then the held facts (decided after them, so the facts they
   * may refer to come first). `follows`: decided only if it resolves. The held facts carried are
   * failed if the transaction fails.
   */
  private decide(
    items: IngestItem[],
    follows: Promise<void> | null,
  ): { seq: number; carried: HeldFact[]; outcomes: Promise<IngestOutcome[]> } {
    const carried = this.takeHeld();
    for (const fact of carried) items.push(fact.item);
    const seq = ++this.transactions;
    this.pending += 1;
    const outcomes = this.ingestion.ingest(items, {
      before: async () => {
        await this.loopTurned();
        if (follows) await follows; // rejects if the partition's previous batch was not stored
      },
    });
    void outcomes.then(
      (answers) => {
        this.pending -= 1;
        if (answers.some((answer) => answer.status === 'accepted')) this.changedAt = Math.max(this.changedAt, seq);
      },
      (error: unknown) => {
        this.pending -= 1;
        for (const fact of carried) fact.fail(error);
        this.whenSettled();
      },
    );
    return { seq, carried, outcomes };
  }

  /**
   * Publishes each rejected record to the retry or the dead-letter topic, or holds it; settles the
   * held facts decided again in this transaction. Resolves to the batch's newly held facts.
   */
  private async route(
    batch: InboundBatch,
    messages: InboundMessage[],
    carried: HeldFact[],
    outcomes: IngestOutcome[],
    now: Date,
    started: bigint,
    seq = 0,
  ): Promise<HeldFact[]> {
    const retries: OutboundRecord[] = [];
    const deadLetters: OutboundRecord[] = [];
    const newlyHeld: HeldFact[] = [];
    const lastAccepted = lastAcceptedOf(outcomes);
    for (let index = 0; index < messages.length; index++) {
      const outcome = outcomes[index];
      if (outcome.status !== 'rejected') continue;
      const message = messages[index];
      const delivery = deliveryOf(message, this.settings.retryTopic);
      const rejection = { reason: outcome.reason, detail: outcome.detail };
      if (outcome.reason === RejectionCode.UnknownReference && delivery.attempt < this.settings.maxAttempts) {
        if (this.mayHold(message, delivery))
          newlyHeld.push(this.heldFact(message, delivery, outcome.detail, decidedAt(seq, index, lastAccepted)));
        else retries.push(retryRecord(message, delivery, rejection, now, new Date(now.getTime() + this.backoff(delivery.attempt))));
      } else {
        deadLetters.push(deadLetterRecord(message, delivery, rejection, now));
      }
    }
    const { again, moved } = this.sortCarried(carried, outcomes, messages.length, retries, deadLetters, now, seq);
    this.putBack([...again, ...newlyHeld]);
    await this.publish(retries, deadLetters, moved);

    const due = messages.length;
    const lastHandled = due > 0 ? BigInt(messages[due - 1].offset) + 1n : BigInt(batch.messages[0].offset);
    this.observe({
      topic: batch.topic,
      partition: batch.partition,
      size: outcomes.length,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      lag: Math.max(0, Number(BigInt(batch.highWatermark) - lastHandled)),
      outcomes,
      retried: retries.length,
      deadLettered: deadLetters.length,
      ...(this.hold ? { held: again.length + newlyHeld.length } : {}),
    });
    return newlyHeld;
  }

  /**
   * The held facts' new answers: stored ones are settled (durable with the transaction), refused
   * ones go to the dead-letter topic, and unknown references are held again — or, their rounds
   * spent, go to the retry topic.
   */
  private sortCarried(
    carried: HeldFact[],
    /** The transaction's outcomes; the carried facts' start at `from`. */
    outcomes: IngestOutcome[],
    from: number,
    retries: OutboundRecord[],
    deadLetters: OutboundRecord[],
    now: Date,
    seq: number,
  ): { again: HeldFact[]; moved: HeldFact[] } {
    const again: HeldFact[] = [];
    const moved: HeldFact[] = [];
    const lastAccepted = carried.length > 0 ? lastAcceptedOf(outcomes) : -1;
    carried.forEach((fact, index) => {
      const outcome = outcomes[from + index];
      if (outcome.status !== 'rejected') return fact.settle();
      fact.rounds += 1;
      fact.decidedAt = decidedAt(seq, from + index, lastAccepted);
      fact.detail = outcome.detail;
      const rejection = { reason: outcome.reason, detail: outcome.detail };
      if (outcome.reason !== RejectionCode.UnknownReference)
        deadLetters.push(deadLetterRecord(fact.message, fact.delivery, rejection, now));
      else if (fact.rounds < this.hold!.rounds) return again.push(fact);
      else
        retries.push(
          retryRecord(fact.message, fact.delivery, rejection, now, new Date(now.getTime() + this.backoff(fact.delivery.attempt))),
        );
      moved.push(fact);
    });
    return { again, moved };
  }

  /** Publishes to the retry and dead-letter topics; then the held facts among them are settled. */
  private async publish(retries: OutboundRecord[], deadLetters: OutboundRecord[], moved: HeldFact[]): Promise<void> {
    try {
      await Promise.all([
        this.publisher.send(this.settings.retryTopic, retries),
        this.publisher.send(this.settings.deadLetterTopic, deadLetters),
      ]);
    } catch (error) {
      for (const fact of moved) fact.fail(error);
      throw error;
    } finally {
      this.whenSettled();
    }
    for (const fact of moved) fact.settle();
  }

  /** Only first deliveries of the input topic are held (a retry-topic record keeps its backoff), and only so many. */
  private mayHold(message: InboundMessage, delivery: Delivery): boolean {
    return this.hold !== null && message.topic === this.settings.topic && delivery.attempt === 1 && this.holding < this.hold.facts;
  }

  private heldFact(message: InboundMessage, delivery: Delivery, detail: string, decidedAt: number): HeldFact {
    const copy: InboundMessage = {
      ...message,
      key: message.key && Buffer.from(message.key),
      value: message.value && Buffer.from(message.value),
      headers: new Map([...message.headers].map(([name, value]) => [name, Buffer.from(value)])),
    };
    let settle: () => void = () => undefined;
    let fail: (error: unknown) => void = () => undefined;
    const settled = new Promise<void>((resolve, reject) => ([settle, fail] = [resolve, reject]));
    settled.catch(() => undefined); // its batch may have been given up on meanwhile: then nobody waits
    this.holding += 1;
    return {
      message: copy,
      delivery,
      item: this.itemOf(copy),
      rounds: 0,
      decidedAt,
      detail,
      settled,
      settle: () => {
        this.holding -= 1;
        settle();
      },
      fail: (error) => {
        this.holding -= 1;
        fail(error);
      },
    };
  }

  /** The held facts (the oldest ones, up to `carry`), for the transaction being handed over. */
  private takeHeld(all = false): HeldFact[] {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.held.length === 0) return [];
    const count = all ? this.held.length : Math.min(this.held.length, this.hold!.carry);
    return this.held.splice(0, count);
  }

  private putBack(facts: HeldFact[]): void {
    this.held.push(...facts);
  }

  /**
   * After each transaction: with no other transaction under way, held facts are decided again at
   * once if something was stored since they were last decided (a fact they refer to may have come,
   * e.g. another held fact); otherwise they wait for a new batch, and go to the retry topic if
   * none comes within idleMs.
   */
  private whenSettled(): void {
    if (this.held.length === 0 || this.pending > 0) return;
    if (this.held.some((fact) => fact.decidedAt < this.changedAt)) {
      void this.decideHeld();
      return;
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.release(), Math.max(0, Math.min(this.hold!.idleMs, this.settings.backoffMs)));
  }

  /**
   * Lets the event loop turn before a transaction if it has not for a while: SQLite appends run
   * synchronously, and a queue of them back to back would starve heartbeats and fetches. A store
   * that awaits I/O lets it turn anyway; there the next transaction starts at once, and the next
   * batch is fetched and parsed while the database works on it.
   */
  private async loopTurned(): Promise<void> {
    if (!this.ticker) {
      this.ticker = setInterval(() => (this.turnedAt = Date.now()), TICK_MS);
      this.ticker.unref();
      this.turnedAt = Date.now();
    }
    if (Date.now() - this.turnedAt > LOOP_STALE_MS) await new Promise((resolve) => setImmediate(resolve));
  }

  /** A transaction of held facts alone. */
  private async decideHeld(): Promise<void> {
    const started = process.hrtime.bigint();
    const now = this.now();
    const transaction = this.decide([], null);
    let outcomes: IngestOutcome[];
    try {
      outcomes = await transaction.outcomes;
    } catch {
      return; // the facts carried are failed: their batches are delivered again
    }
    const retries: OutboundRecord[] = [];
    const deadLetters: OutboundRecord[] = [];
    const { again, moved } = this.sortCarried(transaction.carried, outcomes, 0, retries, deadLetters, now, transaction.seq);
    this.putBack(again);
    await this.publish(retries, deadLetters, moved).catch(() => undefined); // failed facts: delivered again
    this.observe({
      topic: this.settings.topic,
      partition: -1,
      size: outcomes.length,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      lag: 0,
      outcomes,
      retried: retries.length,
      deadLettered: deadLetters.length,
      held: again.length,
    });
  }

  /** No batch came for a while and nothing changed: the held facts go to the retry topic, as they would have at once. */
  private async release(): Promise<void> {
    this.idleTimer = null;
    if (this.pending > 0) return; // a transaction is under way: it decides what happens to them next
    const started = process.hrtime.bigint();
    const facts = this.takeHeld(true);
    if (facts.length === 0) return;
    const now = this.now();
    const records = facts.map((fact) =>
      retryRecord(
        fact.message,
        fact.delivery,
        { reason: RejectionCode.UnknownReference, detail: fact.detail },
        now,
        new Date(now.getTime() + this.backoff(fact.delivery.attempt)),
      ),
    );
    try {
      await this.publish(records, [], facts);
    } catch {
      return; // failed: their batches are delivered again (the consumer seeks back)
    }
    this.observe({
      topic: this.settings.topic,
      partition: -1,
      size: 0,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      lag: 0,
      outcomes: [],
      retried: records.length,
      deadLettered: 0,
      held: 0,
      released: records.length,
    });
  }

  /** The wait before delivery number attempt + 1: backoff doubled per attempt, capped. */
  private backoff(attempt: number): number {
    return Math.min(this.settings.maxBackoffMs, this.settings.backoffMs * 2 ** Math.min(attempt - 1, 30));
  }

  /** The record's bytes, and where it came from: kept with the stored event for auditors. */
  private itemOf(message: InboundMessage): IngestItem {
    if (message.topic !== this.settings.retryTopic) {
      // A first delivery: capflow's headers on it are a producer's and are not believed (deliveryOf)
      return {
        input: message.value ?? EMPTY,
        metadata: { kafka: { topic: message.topic, partition: message.partition, offset: message.offset } },
      };
    }
    const delivery = deliveryOf(message, this.settings.retryTopic);
    const kafka: Record<string, unknown> = { topic: delivery.topic, partition: delivery.partition, offset: delivery.offset };
    if (message.topic !== delivery.topic) {
      kafka.delivered = { topic: message.topic, partition: message.partition, offset: message.offset, attempt: delivery.attempt };
    }
    return { input: message.value ?? EMPTY, metadata: { kafka } };
  }
}
