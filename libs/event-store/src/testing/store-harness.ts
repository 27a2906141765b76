import type { AppendProbe } from '../append-probe';
import type { EventStore } from '../event-store.port';

/** What the store contract suite needs of an adapter: fresh stores, and raw access to tamper with them. */
export interface StoreHarness {
  /** Opens the harness's store; every call opens the same underlying store (a second writer, a restart). */
  open(options?: { clock?: () => Date; probe?: AppendProbe }): Promise<EventStore>;
  /** Direct writes behind the store's back, as an attacker with database access would make. */
  tamper: {
    changeDataByte(position: number): Promise<void>;
    changeOccurredKey(position: number): Promise<void>;
    deleteRow(position: number): Promise<void>;
    insertForgedRowAfter(position: number): Promise<void>;
    swapRows(a: number, b: number): Promise<void>;
    /** Sets the schema version recorded by migrations. */
    setSchemaVersion(version: number): Promise<void>;
  };
  dispose(): Promise<void>;
}
