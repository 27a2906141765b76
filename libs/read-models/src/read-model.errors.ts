import type { ProjectionName } from './read-model.store';

/**
 * A read model whose stored content does not hash to the digest its checkpoint holds, or a
 * snapshot whose bytes do not hash to the digest stored beside them: it is not answered from.
 */
export class UnreconciledReadModel extends Error {
  /** Stable: adapters map it (HTTP 503, `read_model_unreconciled`). */
  readonly code = 'read_model_unreconciled';

  constructor(
    readonly projection: ProjectionName | 'snapshots',
    readonly detail: string,
  ) {
    super(
      `the ${projection} read model does not match its digest (${detail}): not answered from; ` +
        `\`capflow verify\` names the row, \`capflow replay${projection === 'snapshots' ? '' : ` --projection ${projection}`}\` rebuilds it`,
    );
    this.name = 'UnreconciledReadModel';
  }
}

export function isUnreconciledReadModel(error: unknown): error is UnreconciledReadModel {
  return error instanceof UnreconciledReadModel;
}
