/** Why a query could not be answered. Stable codes: adapters map them (HTTP status, exit code). */
export enum QueryErrorCode {
  /** A parameter is malformed or out of range; the detail names it. */
  InvalidParameter = 'invalid_parameter',
  /** The thing asked for is not in the ledger (or not in this view of it). */
  NotFound = 'not_found',
  /** The read models have not been built yet: the projector has not caught up once. */
  NotReady = 'read_models_not_ready',
}

export class QueryError extends Error {
  constructor(
    readonly code: QueryErrorCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'QueryError';
  }
}

export function isQueryError(error: unknown): error is QueryError {
  return error instanceof QueryError;
}
