import { Client } from 'pg';
import { describeEventStoreContract, newEvent } from '../testing/event-store.contract';
import { postgresHarness, TEST_POSTGRES_URL } from '../testing/postgres-harness';

describeEventStoreContract('PostgreSQL', postgresHarness);

describe('PostgreSQL: a connection that breaks mid-append', () => {
  it('fails the append as store_unavailable, keeps the process up, and the store goes on', async () => {
    const harness = postgresHarness();
    const store = await harness.open();
    const admin = new Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      await store.append('s', [newEvent()]);
      const failed = store
        .withAppendLock(async (session) => {
          await session.append([{ streamId: 's', events: [newEvent()] }]);
          // the server ends this backend while the transaction is open (as a restart would):
          // its client, checked out of the pool, receives the FATAL with no query in flight
          const { rows } = await admin.query<{ ended: boolean }>(
            `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
             WHERE state = 'idle in transaction' AND application_name = 'capflow' AND query LIKE $1`,
            [`%t_${process.pid}_%`], // this test's schema (see postgresHarness)
          );
          expect(rows.some((row) => row.ended)).toBe(true);
          await new Promise((resolve) => setTimeout(resolve, 200)); // the FATAL arrives
          await session.append([{ streamId: 's', events: [newEvent()] }]);
        })
        .then(
          () => 'ok',
          (error: { code?: string }) => error.code,
        );
      expect(await failed).toBe('store_unavailable');
      expect((await store.head()).position).toBe(1); // nothing of the broken transaction
      expect((await store.append('s', [newEvent()])).events[0].position).toBe(2);
    } finally {
      await admin.end();
      await harness.dispose();
    }
  });
});
