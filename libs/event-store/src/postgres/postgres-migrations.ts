/**
 * Versioned schema of the PostgreSQL store, in its own schema (default `capflow`).
 * `{schema}` is replaced by the quoted schema name. Append new migrations; never edit an applied one.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'events, head and append-only guards',
    sql: `
      CREATE TABLE {schema}.events (
        position       bigint  PRIMARY KEY,
        event_id       uuid    NOT NULL,
        stream_id      text    COLLATE "C" NOT NULL,
        stream_version bigint  NOT NULL,
        type           text    NOT NULL,
        schema_version integer NOT NULL,
        occurred_at    text    NOT NULL,
        occurred_key   text    COLLATE "C" NOT NULL,
        recorded_at    text    COLLATE "C" NOT NULL,
        source         text    NOT NULL,
        data           text    NOT NULL,
        metadata       text,
        hash           text    NOT NULL,
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_key UNIQUE (stream_id, stream_version)
      );
      -- one row: the last position and hash; locking it FOR UPDATE is the append lock
      CREATE TABLE {schema}.store_head (
        id          integer PRIMARY KEY CHECK (id = 1),
        position    bigint  NOT NULL,
        hash        text,
        recorded_at text
      );
      INSERT INTO {schema}.store_head (id, position) VALUES (1, 0);
      CREATE FUNCTION {schema}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'capflow events are append-only'; END $$;
      CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON {schema}.events
        FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_change();
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON {schema}.events
        FOR EACH STATEMENT EXECUTE FUNCTION {schema}.refuse_change();
    `,
  },
  {
    version: 2,
    name: 'business-order index, for views as of a business time',
    sql: `
      -- business time mostly grows with position, so this index is appended to, not scattered
      CREATE INDEX events_by_business_time ON {schema}.events (occurred_key, position);
    `,
  },
];
