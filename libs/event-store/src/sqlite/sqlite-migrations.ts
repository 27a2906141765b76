/** Versioned schema of the SQLite store. Append new migrations; never edit an applied one. */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'events, head and append-only guards',
    sql: `
      CREATE TABLE events (
        position       INTEGER PRIMARY KEY,
        event_id       BLOB    NOT NULL,
        stream_id      TEXT    NOT NULL,
        stream_version INTEGER NOT NULL,
        type           TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        occurred_at    TEXT    NOT NULL,
        occurred_key   TEXT    NOT NULL,
        recorded_at    TEXT    NOT NULL,
        source         TEXT    NOT NULL,
        data           TEXT    NOT NULL,
        metadata       TEXT,
        hash           TEXT    NOT NULL
      );
      -- the eventId as 16 bytes: the unique index is the ingest bottleneck, and blobs are faster than text
      CREATE UNIQUE INDEX events_by_event_id ON events (event_id);
      CREATE UNIQUE INDEX events_by_stream ON events (stream_id, stream_version);
      CREATE TABLE store_head (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        position    INTEGER NOT NULL,
        hash        TEXT,
        recorded_at TEXT
      );
      INSERT INTO store_head (id, position) VALUES (1, 0);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'capflow events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'capflow events are append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'business-order index, for views as of a business time',
    sql: `
      -- business time mostly grows with position, so this index is appended to, not scattered
      CREATE INDEX events_by_business_time ON events (occurred_key, position);
    `,
  },
];
