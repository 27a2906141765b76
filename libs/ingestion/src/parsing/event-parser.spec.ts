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

  it('carry the instant key of an accepted fact’s occurredAt, whatever its offset', () => {
    const envelope = JSON.parse(fixtureLines('test/fixtures/contract/amazon-openai-loop.ndjson')[0].toString('utf8'));
    const shifted = JSON.stringify({ ...envelope, occurredAt: '2025-11-03T10:00:00.5+01:00' });
    expect(verdictOf(parseEvent(shifted))).toEqual({ accepted: '2025-11-03T09:00:00.500000000Z' });
    expect(verdictOf(parseEvent('{'))).toMatchObject({ rejection: { reason: 'malformed_json' }, eventId: null });
  });

  it('refuse an answer that does not cover the batch', () => {
    expect(() => outcomesOf(inputs, inputs.slice(1).map(() => ({ accepted: '' })))).toThrow('answered 389 of 390 inputs');
  });
});
