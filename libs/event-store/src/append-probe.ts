import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * A test-only window onto the locked append: the fault tier kills processes with `kill -9` and
 * needs evidence of which kills landed inside an open append transaction. `opened` is called once
 * the transaction holds the head's lock, `closed` once it committed or rolled back.
 */
export interface AppendProbe {
  opened(head: number): void;
  closed(outcome: 'committed' | 'rolled_back', head: number): void;
  close(): void;
}

/**
 * Appends `open HEAD` and `committed HEAD` / `rolled_back HEAD` lines to a file with one
 * synchronous write each: a process killed at any instant leaves exactly the lines it wrote, so
 * a last line `open H` means the kill came between BEGIN and the end of COMMIT.
 */
export function appendProbeFile(path: string): AppendProbe {
  const fd = openSync(path, 'a');
  return {
    opened: (head) => writeSync(fd, `open ${head}\n`),
    closed: (outcome, head) => writeSync(fd, `${outcome} ${head}\n`),
    close: () => closeSync(fd),
  };
}
