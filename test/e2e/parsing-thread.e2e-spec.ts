/**
 * The parsing thread of `capflow ingest` (WorkerEventParser), from the build: its thread runs the
 * compiled script, which the e2e tier's setup builds (the unit tier runs sources, where the parser
 * falls back to this thread). Its answers must be parseEvent's exactly, and a thread that dies
 * must fail only the batches it held.
 */
import { parseEvent } from '@capflow/contracts';
import type { EventParser } from '@capflow/ingestion';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/cli';
import { fixtureLines } from '../support/fixture-lines';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const built = require(join(REPO_ROOT, 'dist/libs/ingestion/src/parsing/worker-event-parser.js')) as {
  WorkerEventParser: { new (): EventParser; available(): boolean };
};

const inputs = [...fixtureLines('test/fixtures/contract/amazon-openai-loop.ndjson'), ...fixtureLines('test/fixtures/hostile/corpus.ndjson')];

describe('the parsing thread', () => {
  let parser: EventParser;
  beforeEach(() => (parser = new built.WorkerEventParser()));
  afterEach(() => parser.close());

  it('runs from the build, and answers every input exactly as parseEvent does here', async () => {
    expect(built.WorkerEventParser.available()).toBe(true);
    const answered = await parser.parse(inputs);
    expect(answered).toEqual(inputs.map((input) => parseEvent(input)));
    // accepted and refused both crossed the thread (many hostile lines parse, and only the ledger refuses them)
    expect(answered.filter((outcome) => outcome.ok).length).toBeGreaterThan(23);
    expect(answered.filter((outcome) => !outcome.ok).length).toBeGreaterThan(250);
  });

  it('answers batches in their order, the empty one too, and parses text on this thread', async () => {
    const halves = [inputs.slice(0, 200), [], inputs.slice(200)];
    const answers = await Promise.all(halves.map((half) => parser.parse(half)));
    expect(answers.flat()).toEqual(inputs.map((input) => parseEvent(input)));
    const text = inputs.slice(0, 26).map((input) => input.toString('utf8'));
    expect(await parser.parse(['{"x":"\ud800"}', ...text])).toEqual(['{"x":"\ud800"}', ...text].map((input) => parseEvent(input)));
  });

  it('fails the batch a dying thread held, and the next batch gets a new thread', async () => {
    const big = Array.from({ length: 200 }, () => inputs).flat(); // 78,000 inputs: still being parsed when the thread dies
    const held = parser.parse(big);
    await (parser as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(held).rejects.toThrow('the parsing thread stopped');
    expect(await parser.parse(inputs)).toEqual(inputs.map((input) => parseEvent(input)));
  });

  it('parses on this thread once closed', async () => {
    await parser.close();
    expect(await parser.parse(inputs.slice(0, 30))).toEqual(inputs.slice(0, 30).map((input) => parseEvent(input)));
  });
});
