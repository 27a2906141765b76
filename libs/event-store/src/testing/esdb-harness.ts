import { randomUUID } from 'node:crypto';
import { EsdbEventStore } from '../esdb/esdb-event-store';
import type { EsdbGateway } from '../esdb/esdb-gateway';
import { EsdbStreams, LOG_METADATA_KEY, SCHEMA_EVENT_TYPE } from '../esdb/esdb-records';
import { parseEsdbUrl } from '../esdb/esdb-url';
import type { ContractOptions } from './event-store.contract';
import { InMemoryEsdb } from './esdb-memory';
import type { StoreHarness } from './store-harness';

/** The EventStoreDB the tests use, if any: an esdb:// connection string. */
export const TEST_ESDB_URL = process.env.CAPFLOW_TEST_ESDB?.trim() || undefined;

/** What a running EventStoreDB does not let anyone do through its API: the contract skips those tests there. */
export const ESDB_CANNOT: ContractOptions['cannot'] = {
  changeDataByte: 'EventStoreDB changes no stored event through its API',
  changeOccurredKey: 'EventStoreDB changes no stored event through its API',
  deleteRow: 'EventStoreDB deletes no single event through its API',
  swapRows: 'EventStoreDB moves no stored event through its API',
};

/** Waiting for the append lock in tests: poll often, the holders are quick. */
const TEST_LOCK = { maxPollMs: 5, leaseMs: 5000 };

let counter = 0;

/**
 * The EventStoreDB adapter over an in-memory server (no I/O): the whole store contract, tampering
 * included (the in-memory server lets a test change stored events as the server's files could).
 */
export function esdbMemoryHarness(): StoreHarness {
  const server = new InMemoryEsdb();
  const streams = new EsdbStreams('');
  const opened: EsdbEventStore[] = [];
  const revision = (position: number) => position - 1;
  return {
    async open(options = {}) {
      const store = await EsdbEventStore.over(server.gateway(), { namespace: '' }, { ...options, lock: TEST_LOCK });
      opened.push(store);
      return store;
    },
    tamper: {
      async changeDataByte(position) {
        server.tamper.editData(streams.log, revision(position), (text) => text.replace(/0/g, '9'));
      },
      async changeOccurredKey(position) {
        server.tamper.editMetadata(streams.log, revision(position), (metadata) => {
          (metadata[LOG_METADATA_KEY] as Record<string, unknown>).occurredKey = '1999-01-01T00:00:00.000000000Z';
        });
      },
      async deleteRow(position) {
        server.tamper.remove(streams.log, revision(position));
      },
      async insertForgedRowAfter(position) {
        await forgeAfter(server.gateway(), streams, position);
      },
      async swapRows(a, b) {
        server.tamper.swap(streams.log, revision(a), revision(b));
      },
      async setSchemaVersion(version) {
        await setSchema(server.gateway(), streams, version);
      },
    },
    async dispose() {
      for (const store of opened) await store.close();
    },
  };
}

/**
 * A real EventStoreDB (`CAPFLOW_TEST_ESDB`): every harness works in a namespace of its own, so
 * tests share the server without seeing each other's streams (which stay on the server: use a
 * throwaway one). Tampering is what a client with write access can do: append a forged event to
 * the log, and a newer schema marker.
 */
export function esdbServerHarness(url: string): StoreHarness {
  counter += 1;
  const namespace = `t_${process.pid}_${counter}_${randomUUID().slice(0, 8)}`;
  const storeUrl = `${url}${url.includes('?') ? '&' : '?'}namespace=${namespace}`;
  const streams = new EsdbStreams(namespace);
  const opened: EsdbEventStore[] = [];
  let raw: EsdbGateway | undefined;
  // the client is loaded only by tests that use a server
  const gateway = async () => (raw ??= (await import('../esdb/esdb-client-gateway')).EsdbClientGateway.connect(parseEsdbUrl(storeUrl)));
  const cannot = (what: string) => async () => {
    throw new Error(`EventStoreDB cannot ${what}`);
  };
  return {
    async open(options = {}) {
      const store = await EsdbEventStore.open(storeUrl, options);
      opened.push(store);
      return store;
    },
    tamper: {
      changeDataByte: cannot('change an event'),
      changeOccurredKey: cannot('change an event'),
      deleteRow: cannot('delete one event'),
      swapRows: cannot('move events'),
      insertForgedRowAfter: async (position) => forgeAfter(await gateway(), streams, position),
      setSchemaVersion: async (version) => setSchema(await gateway(), streams, version),
    },
    async dispose() {
      for (const store of opened) await store.close().catch(() => undefined);
      await raw?.close();
    },
  };
}

/** Appends to the log a copy of the event at `position` under a new eventId, claiming the next position. */
async function forgeAfter(gateway: EsdbGateway, streams: EsdbStreams, position: number): Promise<void> {
  const [original] = await gateway.read(streams.log, { from: BigInt(position - 1), count: 1 });
  const event = original!.event!;
  const metadata = structuredClone(event.metadata) as Record<string, Record<string, unknown>>;
  metadata[LOG_METADATA_KEY].position = position + 1;
  metadata[LOG_METADATA_KEY].streamVersion = (metadata[LOG_METADATA_KEY].streamVersion as number) + 1000;
  await gateway.append(streams.log, [{ kind: 'json', id: randomUUID(), type: event.type, data: event.data, metadata }], 'any');
}

async function setSchema(gateway: EsdbGateway, streams: EsdbStreams, version: number): Promise<void> {
  await gateway.append(streams.schema, [{ kind: 'json', id: randomUUID(), type: SCHEMA_EVENT_TYPE, data: { version } }], 'any');
}
