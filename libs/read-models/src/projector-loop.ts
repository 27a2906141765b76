import type { Projector, ProjectorProgress } from './projector';

export interface ProjectorLoop {
  /** Stops after the catch-up under way has written its checkpoint. */
  stop(): Promise<void>;
  /** Resolves when stopped; rejects if the projector failed. */
  readonly done: Promise<void>;
}

/** Keeps a projector caught up: catch up, wait a little when there is nothing new, again. */
export function runProjector(
  projector: Projector,
  options: { pollIntervalMs?: number; onCaughtUp?: (position: number) => void; onProgress?: (progress: ProjectorProgress) => void } = {},
): ProjectorLoop {
  let running = true;
  let wake: (() => void) | null = null;
  const done = (async () => {
    let last = -1;
    while (running) {
      const position = await projector.catchUp(options.onProgress);
      if (position !== last) options.onCaughtUp?.(position);
      last = position;
      if (!running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollIntervalMs ?? 200);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();
  done.catch(() => undefined);
  return {
    done,
    async stop() {
      running = false;
      (wake as (() => void) | null)?.();
      await done.catch(() => undefined);
    },
  };
}
