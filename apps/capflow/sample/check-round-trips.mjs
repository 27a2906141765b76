#!/usr/bin/env node
// An independent re-computation of the round-trip report (TRACING.md, fifo and pro_rata) for an
// NDJSON file of accepted facts in business order, written from the contract alone and sharing
// no code with capflow. The sample's README and its e2e test quote figures that capflow's
// `report round-trips` and this script both give.
//
//   node apps/capflow/sample/check-round-trips.mjs [FILE] [--policy fifo|pro_rata]   (JSON out)
//
// Scope: what the sample holds (one currency, no reversals, no opening balances, no expiries);
// it refuses anything else rather than guess.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const policyAt = args.indexOf('--policy');
const policies = policyAt >= 0 ? [args[policyAt + 1]] : ['fifo', 'pro_rata'];
const file = args.find((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--policy') ?? join(dirname(fileURLToPath(import.meta.url)), 'public-deals.ndjson');

const events = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line, index) => ({ ...JSON.parse(line), position: index + 1 }));
// Business order: occurredAt as an instant, ties by position.
events.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || a.position - b.position);

const cents = (money) => {
  if (money.currency !== 'USD') throw new Error(`only USD: ${JSON.stringify(money)}`);
  const [whole, fraction = ''] = money.amount.split('.');
  return BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
};
const format = (c) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

function run(policy) {
  const parent = new Map();
  const groupOf = (party) => (parent.get(party) ? groupOf(parent.get(party)) : party);
  const investments = new Map(); // id → row
  const grants = new Map(); // grantId → investmentId | null
  const invoices = new Map(); // invoiceId → { providerId, customerId }
  const commitments = [];
  // fifo: party → [{ amount, tags: Set }]; pro_rata: party → { total, tags: Map }
  const pools = new Map();
  const pool = (party) => {
    if (!pools.has(party)) pools.set(party, policy === 'fifo' ? [] : { total: 0n, tags: new Map() });
    return pools.get(party);
  };

  const returned = (tag, amount, kind) => {
    const row = investments.get(tag);
    if (kind === 'revenue') row.returnedCash += amount;
    else row.returnedCapital += amount;
  };

  // fifo
  function take(party, amount) {
    const lots = pool(party);
    const pieces = [];
    let left = amount;
    while (left > 0n && lots.length > 0) {
      const lot = lots[0];
      const piece = lot.amount <= left ? lot.amount : left;
      pieces.push({ amount: piece, tags: lot.tags });
      lot.amount -= piece;
      left -= piece;
      if (lot.amount === 0n) lots.shift();
    }
    if (left > 0n) pieces.push({ amount: left, tags: new Set() });
    return pieces;
  }
  function arriveFifo(receiver, pieces, kind) {
    const home = groupOf(receiver);
    for (const piece of pieces) {
      const kept = new Set();
      for (const tag of piece.tags) {
        if (groupOf(investments.get(tag).investorId) === home) returned(tag, piece.amount, kind);
        else kept.add(tag);
      }
      pool(receiver).push({ amount: piece.amount, tags: kept });
    }
  }

  // pro_rata
  function takeShares(party, amount) {
    const p = pool(party);
    const takes = new Map();
    for (const [tag, a] of p.tags) {
      const share = amount >= p.total ? a : (2n * amount * a + p.total) / (2n * p.total);
      if (share > 0n) takes.set(tag, share);
    }
    for (const [tag, share] of takes) p.tags.set(tag, p.tags.get(tag) - share);
    p.total = p.total > amount ? p.total - amount : 0n;
    return takes;
  }
  function arriveProRata(receiver, takes, amount, kind) {
    const home = groupOf(receiver);
    const p = pool(receiver);
    for (const [tag, share] of takes) {
      if (groupOf(investments.get(tag).investorId) === home) returned(tag, share, kind);
      else p.tags.set(tag, (p.tags.get(tag) ?? 0n) + share);
    }
    p.total += amount;
  }

  function move(from, to, amount, kind) {
    if (policy === 'fifo') arriveFifo(to, take(from, amount), kind);
    else arriveProRata(to, takeShares(from, amount), amount, kind);
  }

  for (const { type, data } of events) {
    switch (type) {
      case 'PartyRegistered':
        parent.set(data.partyId, data.parentId ?? null);
        break;
      case 'InvestmentCommitted':
        investments.set(data.investmentId, {
          ...data,
          committed: cents(data.amount),
          fundedCash: 0n,
          fundedCredits: 0n,
          returnedCash: 0n,
          returnedCapital: 0n,
          returnedCredits: 0n,
        });
        break;
      case 'InvestmentFunded': {
        const row = investments.get(data.investmentId);
        const amount = cents(data.amount);
        row.fundedCash += amount;
        if (policy === 'fifo') {
          const pieces = take(row.investorId, amount).map((piece) => ({ amount: piece.amount, tags: new Set([...piece.tags, data.investmentId]) }));
          arriveFifo(row.investeeId, pieces, 'capital');
        } else {
          arriveProRata(row.investeeId, takeShares(row.investorId, amount), amount, 'capital');
          const p = pool(row.investeeId);
          p.tags.set(data.investmentId, (p.tags.get(data.investmentId) ?? 0n) + amount);
        }
        break;
      }
      case 'ComputeCreditsGranted':
        grants.set(data.grantId, data.investmentId ?? null);
        if (data.investmentId) investments.get(data.investmentId).fundedCredits += cents(data.amount);
        break;
      case 'ComputeCommitmentSigned':
        commitments.push(data);
        break;
      case 'UsageBilled':
        invoices.set(data.invoiceId, data);
        break;
      case 'InvoiceSettled': {
        const invoice = invoices.get(data.invoiceId);
        const amount = cents(data.amount);
        if (data.method === 'cash') move(invoice.customerId, invoice.providerId, amount, 'revenue');
        else if (grants.get(data.grantId)) investments.get(grants.get(data.grantId)).returnedCredits += amount;
        break;
      }
      case 'PaymentMade':
        move(data.payerId, data.payeeId, cents(data.amount), 'revenue');
        break;
      default:
        throw new Error(`this checker does not handle ${type}`);
    }
  }

  const rows = [...investments.values()]
    .sort((a, b) => (a.investmentId < b.investmentId ? -1 : a.investmentId > b.investmentId ? 1 : 0))
    .map((row) => {
      const funded = row.fundedCash + row.fundedCredits;
      const back = row.returnedCash + row.returnedCredits;
      // ratio to 6 decimals, half up, in integers
      const ratio = funded === 0n ? null : Number((2n * back * 1_000_000n + funded) / (2n * funded)) / 1_000_000;
      const toGroup = commitments
        .filter((c) => c.customerId === row.investeeId && groupOf(c.providerId) === groupOf(row.investorId))
        .reduce((sum, c) => sum + cents(c.amount), 0n);
      return {
        investmentId: row.investmentId,
        investorId: row.investorId,
        investorGroup: groupOf(row.investorId),
        investeeId: row.investeeId,
        currency: 'USD',
        committed: format(row.committed),
        fundedCash: format(row.fundedCash),
        fundedCredits: format(row.fundedCredits),
        returnedCash: format(row.returnedCash),
        returnedCapital: format(row.returnedCapital),
        returnedCredits: format(row.returnedCredits),
        roundTripRatio: ratio,
        commitmentsToInvestorGroup: format(toGroup),
      };
    });
  return { policy, asOf: null, investments: rows };
}

const results = policies.map(run);
console.log(JSON.stringify(results.length === 1 ? results[0] : Object.fromEntries(results.map((r) => [r.policy, r])), null, 1));
