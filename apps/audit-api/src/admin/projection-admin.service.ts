import type { EventStore } from '@capflow/event-store';
import { PROJECTIONS, ProjectionName, Projector, ProjectorLoop, ReadModelStore, runProjector } from '@capflow/read-models';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EVENT_STORE, READ_MODELS } from '../audit-api.tokens';
import { AuditApiOptions } from '../audit-api.options';

export interface RebuildJob {
  id: string;
  projections: ProjectionName[];
  status: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  position: number | null;
  digest: string | null;
  error: string | null;
}

/**
 * The read models' upkeep inside this process. With `projector: true` (`capflow serve`, one
 * process) it keeps them caught up with the log; a rebuild stops that loop, rebuilds into a new
 * generation (the old one serves meanwhile) and starts it again. Without it a separate projector
 * process keeps them up to date.
 */
@Injectable()
export class ProjectionAdmin implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Projector');
  private readonly projector: Projector;
  private loop: ProjectorLoop | null = null;
  private job: RebuildJob | null = null;
  private stopped = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    private readonly options: AuditApiOptions,
  ) {
    this.projector = new Projector(store, readModels);
  }

  onApplicationBootstrap(): void {
    if (this.options.projector) this.startLoop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.loop?.stop();
    this.loop = null;
  }

  async states(): Promise<{ head: number; projections: { name: ProjectionName; position: number; digest: string }[]; rebuild: RebuildJob | null }> {
    const states = await this.readModels.states();
    return {
      head: (await this.store.head()).position,
      projections: PROJECTIONS.filter((name) => states.has(name)).map((name) => ({ name, position: states.get(name)!.position, digest: states.get(name)!.digest })),
      rebuild: this.job,
    };
  }

  /** Starts a rebuild and answers at once; null if one is already running. */
  rebuild(projections: ProjectionName[]): RebuildJob | null {
    if (this.job?.status === 'running') return null;
    const job: RebuildJob = {
      id: randomUUID(),
      projections,
      status: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      position: null,
      digest: null,
      error: null,
    };
    this.job = job;
    void (async () => {
      const wasLooping = this.loop !== null;
      try {
        await this.loop?.stop();
        this.loop = null;
        const result = await new Projector(this.store, this.readModels).rebuild(projections);
        Object.assign(job, { status: 'done', position: result.position, digest: result.digest });
      } catch (error) {
        Object.assign(job, { status: 'failed', error: (error as Error)?.message ?? String(error) });
        this.log.error({ msg: 'rebuild failed', error: (error as Error)?.stack ?? String(error) });
      } finally {
        job.finishedAt = new Date().toISOString();
        if (wasLooping && !this.stopped) this.startLoop();
      }
    })();
    return job;
  }

  private startLoop(): void {
    this.loop = runProjector(this.projector, {
      pollIntervalMs: this.options.projectorPollMs,
      onCaughtUp: (position) => this.log.log({ msg: 'caught up', position }),
    });
    const loop = this.loop;
    loop.done.catch((error: unknown) => {
      this.log.error({ msg: 'the projector failed: starting again in 1 s', error: (error as Error)?.stack ?? String(error) });
      // A read model is written with its checkpoint in one transaction: starting again is safe.
      setTimeout(() => {
        if (this.loop === loop && !this.stopped) this.startLoop();
      }, 1000).unref();
    });
  }
}
