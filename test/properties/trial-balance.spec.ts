import fc from 'fast-check';
import { parseAmount } from '@capflow/ledger';
import { CurrencyCode } from '@capflow/contracts';
import { CREDIT_NORMAL_ACCOUNTS, DEBIT_NORMAL_ACCOUNTS, LedgerView } from '@capflow/projections';
import { businessPass, describeEvent, runs, scenarios } from '../support/scenarios';

const DEBIT_NORMAL = new Set<string>(DEBIT_NORMAL_ACCOUNTS);
const KNOWN_ACCOUNTS = new Set<string>([...DEBIT_NORMAL_ACCOUNTS, ...CREDIT_NORMAL_ACCOUNTS]);

describe('property: double entry (EVENTS.md, "Double-entry postings")', () => {
  it("1. every party's trial balance holds after every event, in every currency, applied in business order", () => {
    fc.assert(
      fc.property(scenarios({ min: 200, max: 400 }), (scenario) => {
        const { groups, applied } = businessPass(scenario.events);
        const view = new LedgerView(groups);
        for (const [index, viewEvent] of applied.entries()) {
          view.apply(viewEvent);
          if (!view.balances.trialBalanceHolds()) {
            throw new Error(`the trial balance no longer holds after event ${index + 1} in business order (${describeEvent(viewEvent)})`);
          }
          // the same in the report's form (every 10th event and the last, to keep the run short):
          // with their normal signs, debit-normal balances sum to credit-normal ones
          if (index % 10 !== 9 && index !== applied.length - 1) continue;
          for (const party of view.balancesReport(null).parties) {
            for (const [currency, accounts] of Object.entries(party.balances)) {
              let debits = 0n;
              let credits = 0n;
              for (const [account, amount] of Object.entries(accounts)) {
                if (!KNOWN_ACCOUNTS.has(account))
                  throw new Error(`party ${party.partyId} reports an account outside the chart: ${account}`);
                const value = parseAmount(amount.replace(/^-/, ''), currency as CurrencyCode) * (amount.startsWith('-') ? -1n : 1n);
                if (DEBIT_NORMAL.has(account)) debits += value;
                else credits += value;
              }
              if (debits !== credits) {
                throw new Error(
                  `after event ${index + 1} in business order (${describeEvent(viewEvent)}), party ${party.partyId} in ${currency}: ` +
                    `debit-normal balances sum to ${debits}, credit-normal ones to ${credits} (minor units): ${JSON.stringify(accounts)}`,
                );
              }
            }
          }
        }
      }),
      runs(100),
    );
  });
});
