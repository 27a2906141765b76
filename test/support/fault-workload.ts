/**
 * What the fault tier feeds and how it judges the outcome: generated facts with invalid records
 * spread through them, the verdicts `capflow import` of the same lines gives (the reference), and
 * the end-of-scenario check: every valid fact stored exactly once and nothing else, every invalid
 * record dead-lettered once under its original coordinates, the hash chain verifying.
 */
import { KafkaClient, kafkaSettings, messageKeyOf, OutboundRecord } from '@capflow/kafka';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeEventsFile } from '../bench/import/generate-events';
import { runCli } from './cli';
import { eventually } from './eventually';
import { DlqEntry, dlqList, storedEvents, storeHead } from './kafka';

export interface Rejection {
  /** 1-based line of the file: on a one-partition topic published in order, offset + 1. */
  line: number;
  eventId: string | null;
  reason: string;
}

export interface Workload {
  file: string;
  records: OutboundRecord[];
  /** The store `capflow import` of the same file filled: what every scenario must end up with. */
  reference: string;
  referenceIds: string[];
  rejected: Rejection[];
  /** How long the reference import took, start to exit. */
  importMs: number;
  /** Where each publishing phase ends in `records` (one phase unless partitionSafeWorkload made them). */
  phaseEnds: number[];
}

/** Four kinds of invalid record: malformed JSON, a reference that never arrives, an unknown type, a bad date. */
function invalidRecords(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const eventId = `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
    switch (i % 4) {
      case 0:
        return `{"eventId":"${eventId}", "type": "PartyRegistered"`;
      case 1:
        return JSON.stringify({
          eventId,
          type: 'PaymentMade',
          occurredAt: '2025-01-01T00:00:00Z',
          source: 'x',
          data: { paymentId: `ghost-${i}`, payerId: 'nobody', payeeId: 'noone', amount: { amount: '1.00', currency: 'USD' }, purpose: 'other' },
        });
      case 2:
        return JSON.stringify({ eventId, type: 'NoSuchType', occurredAt: '2025-01-01T00:00:00Z', source: 'x', data: {} });
      default:
        return JSON.stringify({ eventId, type: 'PartyRegistered', occurredAt: 'yesterday', source: 'x', data: { partyId: `bad-${i}`, name: 'Bad', kind: 'other' } });
    }
  });
}

function generatedLines(scratch: string, name: string, events: number): string[] {
  const generated = join(scratch, `${name}.generated.ndjson`);
  writeEventsFile(generated, { events, seed: 4242, spanDays: 200 });
  return readFileSync(generated, 'utf8').trim().split('\n');
}

/** `events` generated facts (seeded) with `invalid` invalid records spread through them, and their reference import. */
export function workload(scratch: string, name: string, events: number, invalid = 40): Workload {
  return workloadOf(scratch, name, [], generatedLines(scratch, name, events), invalid);
}

/**
 * Facts whose verdicts do not depend on the order in which several partitions deliver them, for
 * the scenarios with several members: published in phases, each consumed before the next, so
 * every reference exists well before it is used (parties by depth under their parents; then
 * opening balances, investments, commitments and grants; then the rest), and with no limit
 * shared across partitions: credits settlements and expiries share a grant's remainder across
 * invoice and grant partitions, so they are left out (with their reversals), as is whatever the
 * reference import of the phased file refuses. What is left is decided the same in any
 * interleaving: each remaining limit (an investment's funded total, an invoice's settled
 * total) is checked against facts of one partition, in that partition's order.
 */
export function partitionSafeWorkload(scratch: string, name: string, events: number, invalid = 40): Workload {
  type Fact = { eventId: string; type: string; data: Record<string, unknown> };
  const facts = generatedLines(scratch, name, events).map((line) => ({ line, fact: JSON.parse(line) as Fact }));
  const left = new Set<string>();
  for (const { fact } of facts) {
    const dropped =
      fact.type === 'CreditsExpired' ||
      (fact.type === 'InvoiceSettled' && fact.data.method === 'credits') ||
      (fact.type === 'EventReversed' && left.has(String(fact.data.reversedEventId)));
    if (dropped) left.add(fact.eventId);
  }
  const parents = new Map(facts.filter((f) => f.fact.type === 'PartyRegistered').map((f) => [f.fact.data.partyId as string, f.fact.data.parentId as string | undefined]));
  const depth = (party: string): number => (parents.get(party) ? 1 + depth(parents.get(party)!) : 0);
  const early = new Set(['OpeningBalanceRecorded', 'InvestmentCommitted', 'ComputeCommitmentSigned', 'ComputeCreditsGranted']);
  const phases: string[][] = [];
  const partyPhases = 1 + Math.max(...[...parents.keys()].map(depth));
  const phaseOf = (fact: Fact) => {
    if (fact.type === 'PartyRegistered') return depth(fact.data.partyId as string);
    return early.has(fact.type) ? partyPhases : partyPhases + 1;
  };
  for (const { line, fact } of facts) {
    if (left.has(fact.eventId)) continue;
    const phase = phaseOf(fact);
    while (phases.length <= phase) phases.push([]);
    phases[phase].push(line);
  }
  // what the phased file's import refuses (the generator's own invalid facts) is left out too
  const probe = workloadOf(scratch, `${name}.unfiltered`, phases.slice(0, -1), phases[phases.length - 1], 0);
  const refused = new Set(probe.rejected.map((r) => r.eventId));
  const kept = phases.map((lines) => lines.filter((line) => !refused.has((JSON.parse(line) as Fact).eventId)));
  return workloadOf(scratch, name, kept.slice(0, -1), kept[kept.length - 1], invalid);
}

/** The phases as given, then `tail` with `invalid` invalid records spread through it; and the reference import of it all. */
function workloadOf(scratch: string, name: string, head: string[][], tail: string[], invalid: number): Workload {
  const bad = invalidRecords(invalid);
  const every = Math.max(1, Math.floor(tail.length / Math.max(1, invalid)));
  const mixed: string[] = [];
  tail.forEach((line, index) => {
    mixed.push(line);
    if (index % every === every - 1 && bad.length > 0) mixed.push(bad.shift()!);
  });
  mixed.push(...bad);
  const lines = [...head.flat(), ...mixed];
  const phaseEnds = [...head, mixed].map((_, i, all) => all.slice(0, i + 1).reduce((sum, phase) => sum + phase.length, 0));
  const file = join(scratch, `${name}.ndjson`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const reference = `sqlite:${join(scratch, `${name}.reference.db`)}`;
  const importStarted = Date.now();
  const result = runCli(['import', file, '--store', reference, '--json'], { timeoutMs: 600_000 });
  const importMs = Date.now() - importStarted;
  if (result.status !== 0 && result.status !== 2) throw new Error(`reference import failed: ${result.stderr}`); // 2: some refused
  const summary = JSON.parse(result.stdout) as { rejected: Rejection[] };
  const keys = new Map<string, string>();
  const records = lines.map((line) => ({ key: messageKeyOf(line, keys), value: line }));
  return { file, records, phaseEnds, reference, referenceIds: [], rejected: summary.rejected, importMs };
}

/** The reference store's event ids (read once, after the reference import). */
export async function referenceIds(work: Workload): Promise<string[]> {
  if (work.referenceIds.length === 0) work.referenceIds = (await storedEvents(work.reference)).map((e) => e.eventId);
  return work.referenceIds;
}

/** Publishes records in order, in slices, to a topic of `partitions` partitions (created first). */
export async function publishRecords(brokers: string, topic: string, records: OutboundRecord[], partitions = 1): Promise<void> {
  const client = new KafkaClient(kafkaSettings({ brokers, topic, partitions: String(partitions) }));
  try {
    await client.ensureTopics();
    const publisher = await client.publisher();
    try {
      for (let start = 0; start < records.length; start += 5000) await publisher.send(topic, records.slice(start, start + 5000));
    } finally {
      await publisher.close();
    }
  } finally {
    await client.close();
  }
}

/**
 * Publishes every phase but the last, each once the store holds what the reference accepted of
 * the phases before it; the scenario publishes the last phase and does its damage meanwhile.
 */
export async function publishEarlyPhases(brokers: string, topic: string, work: Workload, partitions: number, store: string): Promise<void> {
  const accepted = new Set(await referenceIds(work));
  let expected = 0;
  let from = 0;
  for (const end of work.phaseEnds.slice(0, -1)) {
    const phase = work.records.slice(from, end);
    await publishRecords(brokers, topic, phase, partitions);
    expected += phase.filter((record) => accepted.has((JSON.parse(record.value as string) as { eventId: string }).eventId)).length;
    await eventually(async () => ((await storeHead(store)) >= expected ? true : undefined), `phase ending at record ${end} stored`, 300_000);
    from = end;
  }
}

export interface Outcome {
  lost: number;
  doubled: number;
  extra: number;
  deadLetters: number;
}

/**
 * Compares the store with the reference: counts what was lost, doubled or stored beyond it, checks
 * the hash chain, and (one partition) that each invalid record is in the DLQ once, at its offset.
 */
export async function outcomeOf(store: string, work: Workload, env: Record<string, string>, dlq: 'by-offset' | 'by-reason' | 'skip'): Promise<Outcome> {
  const ids = (await storedEvents(store)).map((e) => e.eventId);
  const expected = new Set(await referenceIds(work));
  const seen = new Set<string>();
  let doubled = 0;
  let extra = 0;
  for (const id of ids) {
    if (seen.has(id)) doubled += 1;
    else if (!expected.has(id)) extra += 1;
    seen.add(id);
  }
  const lost = [...expected].filter((id) => !seen.has(id)).length;
  const verify = runCli(['verify', '--store', store, '--log-only', '--json']);
  if (verify.status !== 0) throw new Error(`verify failed on ${store}: ${verify.stdout}${verify.stderr}`);
  if (dlq === 'skip') return { lost, doubled, extra, deadLetters: 0 };
  // a refusal that goes through the retry topic is dead-lettered after its attempts: waited for
  let listed: DlqEntry[] = [];
  const letters = await eventually(() => {
    listed = dlqList(env);
    return listed.length >= work.rejected.length ? listed : undefined;
  }, `${work.rejected.length} records in the DLQ`).catch((error: Error) => {
    const got = new Set(listed.map((l) => `${l.reason}@${l.original?.partition}:${l.original?.offset}`));
    throw new Error(`${error.message}; ${listed.length} there: ${[...got].sort().join(" ")}`);
  });
  if (dlq === 'by-offset') {
    const got = letters.map((l) => `${Number(l.original?.offset) + 1}:${l.reason}`).sort();
    const want = work.rejected.map((r) => `${r.line}:${r.reason}`).sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`DLQ by original offset:\n got ${got.join(',')}\nwant ${want.join(',')}`);
  } else {
    const coordinates = new Set(letters.map((l) => `${l.original?.partition}:${l.original?.offset}`));
    if (coordinates.size !== letters.length) throw new Error('a record is in the DLQ twice under its original coordinates');
    const got = letters.map((l) => l.reason).sort();
    const want = work.rejected.map((r) => r.reason).sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`DLQ reasons:\n got ${got.join(',')}\nwant ${want.join(',')}`);
  }
  return { lost, doubled, extra, deadLetters: letters.length };
}
