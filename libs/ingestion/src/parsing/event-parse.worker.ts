import { parseEvent } from '@capflow/contracts';
import { parentPort } from 'node:worker_threads';
import { ParseVerdict, verdictOf } from './event-parser';
import type { ParseRequest, ParseResponse } from './worker-event-parser';

/** A parsing thread: judges each input of a request with parseEvent and answers the verdicts. */
parentPort!.on('message', ({ id, bytes, ends }: ParseRequest) => {
  let answer: ParseResponse;
  try {
    const all = new Uint8Array(bytes);
    const verdicts: ParseVerdict[] = new Array(ends.length);
    let start = 0;
    for (let index = 0; index < ends.length; index++) {
      verdicts[index] = verdictOf(parseEvent(all.subarray(start, ends[index])));
      start = ends[index];
    }
    answer = { id, verdicts };
  } catch (error) {
    answer = { id, error: (error as Error)?.message ?? String(error) };
  }
  parentPort!.postMessage(answer);
});
