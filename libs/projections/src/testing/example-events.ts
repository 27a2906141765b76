import { instantKey, parseEvent } from '@capflow/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ViewEvent } from '../view/view-event';

export const FIXTURES = join(__dirname, '../../../../test/fixtures/contract');

/** The worked example's 22 accepted facts (lines 1–22) as the store holds them: positions 1–22. */
export function exampleEvents(): ViewEvent[] {
  const lines = readFileSync(join(FIXTURES, 'amazon-openai-loop.ndjson'), 'utf8').split('\n').slice(0, 22);
  return lines.map((line, index) => {
    const outcome = parseEvent(line);
    if (!outcome.ok) throw new Error(`line ${index + 1}: ${outcome.rejection.detail}`);
    return { event: outcome.event, position: index + 1, occurredKey: instantKey(outcome.event.occurredAt), recordedAt: '2026-01-01T00:00:00.000Z' };
  });
}

export function expectedReports() {
  return JSON.parse(readFileSync(join(FIXTURES, 'amazon-openai-loop.expected.json'), 'utf8'));
}
