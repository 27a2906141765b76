// The store contract against a real EventStoreDB (KurrentDB), when CAPFLOW_TEST_ESDB names one, e.g.
//   CAPFLOW_TEST_ESDB='esdb://127.0.0.1:2113?tls=false' npx jest libs/event-store/src/esdb
// (docker run -p 2113:2113 docker.kurrent.io/kurrent-latest/kurrentdb:25.1 --insecure --run-projections=None).
// Without one, the run says plainly that it skipped them.
import { describeEventStoreContract } from '../testing/event-store.contract';
import { ESDB_CANNOT, esdbServerHarness, TEST_ESDB_URL } from '../testing/esdb-harness';

const url = TEST_ESDB_URL;
if (url) {
  describeEventStoreContract(`EventStoreDB at ${url.replace(/\/\/[^@/?]*@/, '//***@')}`, () => esdbServerHarness(url), { cannot: ESDB_CANNOT });
} else {
  const skipped = 'EventStoreDB contract (skipped: set CAPFLOW_TEST_ESDB=esdb://host:2113?tls=false to run)';
  console.warn(skipped);
  describe.skip(skipped, () => {
    it('runs the event store contract against a real EventStoreDB', () => undefined);
  });
}
