import { Injectable } from '@nestjs/common';
import { EventStore, openEventStore, parseStoreUrl } from '@capflow/event-store';
import { CapflowConfig } from '../config/capflow-config';
import { Clock } from './clock';

/** Opens the store a command names with --store, else the configured one. */
@Injectable()
export class StoreOpener {
  constructor(
    private readonly config: CapflowConfig,
    private readonly clock: Clock,
  ) {}

  urlFor(override?: string): string {
    const url = override ?? this.config.storeUrl;
    parseStoreUrl(url);
    return url;
  }

  open(override?: string): Promise<EventStore> {
    return openEventStore(this.urlFor(override), { clock: () => this.clock.now() });
  }
}
