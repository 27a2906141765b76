/**
 * The read models' tables, versioned apart from the event store's (its own migrations table).
 * `{schema}.` is the PostgreSQL schema; SQLite drops it.
 */
export const READ_MODEL_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'generations, checkpoints, report documents and restatements',
    sql: `
      CREATE TABLE {schema}.rm_active (projection TEXT PRIMARY KEY, generation INTEGER NOT NULL);
      CREATE TABLE {schema}.rm_checkpoints (
        projection TEXT NOT NULL,
        generation INTEGER NOT NULL,
        position   BIGINT NOT NULL,
        digest     TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (projection, generation)
      );
      CREATE TABLE {schema}.rm_documents (
        projection TEXT NOT NULL,
        generation INTEGER NOT NULL,
        name       TEXT NOT NULL,
        body       TEXT NOT NULL,
        PRIMARY KEY (projection, generation, name)
      );
      CREATE TABLE {schema}.rm_restatements (
        generation   INTEGER NOT NULL,
        position     BIGINT NOT NULL,
        occurred_key TEXT NOT NULL,
        body         TEXT NOT NULL,
        PRIMARY KEY (generation, position)
      );
    `,
  },
  {
    version: 2,
    name: 'snapshots of the views at business-time checkpoints',
    // BYTEA: PostgreSQL's bytes; SQLite keeps a blob as it is under any declared type
    sql: `
      CREATE TABLE {schema}.rm_snapshots (
        format              TEXT NOT NULL,
        checkpoint_key      TEXT NOT NULL,
        checkpoint_position BIGINT NOT NULL,
        built_at            BIGINT NOT NULL,
        valid_from          BIGINT NOT NULL,
        body                BYTEA NOT NULL,
        PRIMARY KEY (format, checkpoint_key, checkpoint_position, built_at)
      );
      CREATE TABLE {schema}.rm_snapshot_frames (
        format   TEXT NOT NULL,
        built_at BIGINT NOT NULL,
        body     TEXT NOT NULL,
        PRIMARY KEY (format, built_at)
      );
    `,
  },
  {
    version: 3,
    name: 'a digest beside each snapshot and frame',
    // the SHA-256 of the bytes (a frame: of its JSON text) as the projector wrote them: a row
    // changed behind its back no longer matches, and is not answered from (ReconciledReadModels)
    sql: `
      ALTER TABLE {schema}.rm_snapshots ADD COLUMN digest TEXT;
      ALTER TABLE {schema}.rm_snapshot_frames ADD COLUMN digest TEXT;
    `,
  },
];
