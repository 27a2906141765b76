export { IngestionService } from './ingestion.service';
export type { IngestionOptions } from './ingestion.service';
export type { IngestItem, IngestOutcome } from './ingest-outcome';
export { applyStoredEvents, capflowEventOf } from './ledger-state.loader';
export { LineSplitter } from './line-splitter';
export type { FileLine } from './line-splitter';
export { InThreadEventParser } from './parsing/event-parser';
export type { EventParser } from './parsing/event-parser';
export { WorkerEventParser } from './parsing/worker-event-parser';
