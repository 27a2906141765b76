import { parseEvent } from '@capflow/contracts';
import { fixtureLines } from '../../../../test/support/fixture-lines';
import { InThreadEventParser, outcomesOf, verdictOf } from './event-parser';

describe('outcomes from another thread’s verdicts', () => {
  const inputs = [...fixtureLines('test/fixtures/contract/amazon-openai-loop.ndjson'), ...fixtureLines('test/fixtures/hostile/corpus.ndjson')];

  it('are exactly parseEvent’s, for the worked example and every hostile line', () => {
    const expected = inputs.map((input) => parseEvent(input));
    expect(expected.filter((outcome) => outcome.ok).length).toBeGreaterThan(20);
    expect(expected.filter((outcome) => !outcome.ok).length).toBeGreaterThan(300);
    expect(outcomesOf(inputs, expected.map(verdictOf))).toEqual(expected);
    expect(new InThreadEventParser().parse(inputs)).toEqual(expected);
  });

  it('refuse an answer that does not cover the batch', () => {
    expect(() => outcomesOf(inputs, inputs.slice(1).map(() => null))).toThrow('answered 389 of 390 inputs');
  });
});
