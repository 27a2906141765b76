#!/usr/bin/env node
// Builds apps/capflow/sample/public-deals.ndjson, the sample `capflow demo` loads, from the facts
// of ../shared/data/public-deals.md (sourced deals) and the illustrative flows that follow the
// analyst estimates there. See README.md beside this file for every choice.
//
//   node apps/capflow/sample/build-sample.mjs            writes the NDJSON (deterministic)
//   node apps/capflow/sample/build-sample.mjs --table    prints the README's table of sourced facts
//   node apps/capflow/sample/build-sample.mjs --check    exits 1 unless the committed file is what
//                                                        this script builds
//
// EventIds are UUID version 5 (RFC 9562: SHA-1 of a namespace and a name) of each fact's stable
// key, so the file is byte-for-byte the same on every run and a re-import is all duplicates.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUTPUT = join(HERE, 'public-deals.ndjson');

// ---------------------------------------------------------------------------------------------
// Deterministic ids and money

/** The namespace of the sample's eventIds: uuidv5(URL namespace, this URL). */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
const NAMESPACE = uuidv5(URL_NAMESPACE, 'https://capflow.invalid/sample/public-deals');

function uuidv5(namespace, name) {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Dollars (a decimal string, e.g. "1.25e9" is not allowed: write "1250000000") to cents. */
const cents = (dollars) => {
  const [whole, fraction = ''] = String(dollars).split('.');
  return BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
};
const B = (billions) => cents(String(billions).includes('.') ? toDollars(billions, 9) : `${billions}000000000`);
const M = (millions) => cents(String(millions).includes('.') ? toDollars(millions, 6) : `${millions}000000`);
function toDollars(value, zeros) {
  const [whole, fraction] = String(value).split('.');
  const digits = (fraction + '0'.repeat(zeros)).slice(0, zeros);
  return `${whole}${digits}`.replace(/^0+(?=\d)/, '');
}
const usd = (amountCents) => ({ amount: `${amountCents / 100n}.${String(amountCents % 100n).padStart(2, '0')}`, currency: 'USD' });

/** Splits a total into n parts in cents: equal parts, the rounding remainder on the last one. */
function split(totalCents, n) {
  const part = totalCents / BigInt(n);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? totalCents - part * BigInt(n - 1) : part));
}
/** Rounds a rational number of cents half up. */
const roundHalfUp = (numerator, denominator) => (2n * numerator + denominator) / (2n * denominator);

// ---------------------------------------------------------------------------------------------
// Time: deals at 00:00Z, money flows at 12:00Z (so a funding disclosed "by" a date comes before
// that day's payments), one envelope per fact

const day = (date) => `${date}T00:00:00Z`;
const noon = (date) => `${date}T12:00:00Z`;
/** The last day of a month, as YYYY-MM-DD. */
function monthEnd(year, month) {
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(last).padStart(2, '0')}`;
}
/** Months from (year, month) to (toYear, toMonth) inclusive, as [year, month] pairs. */
function months(year, month, toYear, toMonth) {
  const list = [];
  for (let y = year, m = month; y < toYear || (y === toYear && m <= toMonth); m === 12 ? ((m = 1), (y += 1)) : (m += 1)) list.push([y, m]);
  return list;
}
const nextMonth = ([y, m]) => (m === 12 ? [y + 1, 1] : [y, m + 1]);
const ym = ([y, m]) => `${y}-${String(m).padStart(2, '0')}`;

// ---------------------------------------------------------------------------------------------
// Sources: one citation from public-deals.md per fact (the envelope's `source` is 1–100
// characters; where every URL of a row is longer, a short citation names it and the README gives
// the URL). Flows that are not public carry "illustrative".

const ILLUSTRATIVE = 'illustrative';
const SRC = {
  msft2019: 'https://www.centerconsulting.com/ai-library/facts/microsoft-invested-1-billion-openai-2019',
  msft2019credits: 'https://www.techerati.com/sitemap-news.xml/openai/',
  msft2021: 'https://scmp.com/tech/big-tech/article/3207838/microsoft-invests-us10-billion-chatgpt-maker-openai',
  msft10q: 'https://www.sec.gov/Archives/edgar/data/789019/000119312525256321/R26.htm',
  msft10q2026: 'https://nocodetechstacker.com/en/posts/microsoft-openai-10-q-5-9-billion-closed-loop-12622',
  amzn2023: 'https://conectia.pro/en/blog/amazon-4b-anthropic-ai-startups',
  amzn2024a: 'https://www.the-ledger.net/events/amazon-anthropic-investment',
  amzn2024b: 'https://qz.com/amazon-invest-4-billion-ai-startup-anthropic-model-chip-1851705944',
  amzn10q2025: 'https://stockwatchindex.com/amazons-anthropic-appraisal-induces-hallucination-2',
  amzn2026: 'https://www.axios.com/2026/04/21/anthropic-amazon-compute-wars',
  goog2023a: 'The Information, Feb 2023: Google ~$300M-$400M in Anthropic (URL in sample README)',
  goog2023b: 'https://thenewsroom.net/googles-secret-ai-takeover-inside-its-3-billion-deal-with-anthropic/amp',
  goog2025: 'https://www.biznews.com/tech/2025/01/22/google-boosts-ai-rivalry-with-1-billion-investment',
  goog2026: 'https://www.tadpost.com/blog/google-anthropic-investment/',
  antGoog200: 'https://content.fans/news/anthropic-commits-200-billion-to-google-cloud-and-chips',
  oaiAws38: 'https://www.techspot.com/news/110120-openai-signs-38-billion-amazon-web-services-deal.html',
  amznOai2026: 'https://www.tomshardware.com/tech-industry/amazon-invests-50-billion-in-openai',
  round2026: 'https://ainewshome.com/article/amazon-invests-50-billion-openai-110-billion-funding-round',
  oaiOracle: 'https://www.verdict.co.uk/openai-oracle-300bn-cloud-deal',
  oracleNvda: 'https://www.theregister.com/2025/11/04/the_circular_economy_of_ai/',
  amdWarrant: 'https://ir.amd.com/financial-information/sec-filings/content/0001193125-25-230895/d28189dex41.htm',
  amd: 'https://www.nasdaq.com/articles/openai-deploy-6-gigawatts-amd-gpus',
  osprey: 'The Information, 2023: Nvidia invested in CoreWeave, then leased its GPUs (URL in sample README)',
  crwvS1: 'https://convergedigest.com/coreweave-files-for-ipo-explosive-growth-and-250k-gpus/',
  msftCrwv: 'https://www.ic-integratedcircuits.com/cases/microsoft-leases-coreweave-servers-22236.html',
  oaiCrwv: 'https://contracts.justia.com/companies/coreweave-inc-103508/contract/1318201',
  oaiCrwvMore: 'https://news.anyfans.com/?p=71359',
  nvdaCrwv: 'https://trendinginfo.blog/?p=26523',
  antAzure: 'https://www.webpronews.com/ai-titans-unite-microsoft-and-nvidias-15b-power-move-on-anthropic/',
  xaiSpv: 'https://seeflection.com/25620/nvidia-to-supply-gpus-to-musks-ai-startup',
  oaiAzure250: 'https://www.sec.gov/Archives/edgar/data/789019/000119312525256321/R26.htm',
};
for (const [key, value] of Object.entries(SRC)) {
  if ([...value].length > 100) throw new Error(`source ${key} is longer than 100 characters`);
}

// ---------------------------------------------------------------------------------------------
// The facts

const facts = [];
function fact(type, key, occurredAt, source, data, note = '') {
  facts.push({ type, key, occurredAt, source, data, note, order: facts.length });
}

// Parties, each registered on the day of the first fact about its group.
function party(date, partyId, name, kind, source, parentId) {
  fact('PartyRegistered', `party:${partyId}`, day(date), source, { partyId, name, kind, ...(parentId ? { parentId } : {}) });
}
function investment(date, investmentId, investorId, investeeId, amount, instrument, source, note) {
  fact('InvestmentCommitted', `investment:${investmentId}`, day(date), source, { investmentId, investorId, investeeId, amount: usd(amount), instrument }, note);
}
function funding(date, investmentId, trancheId, amount, source, note) {
  fact('InvestmentFunded', `funding:${investmentId}:${trancheId}`, day(date), source, { investmentId, trancheId, amount: usd(amount) }, note);
}
function commitment(date, commitmentId, customerId, providerId, amount, startsAt, endsAt, source, note) {
  fact('ComputeCommitmentSigned', `commitment:${commitmentId}`, day(date), source, {
    commitmentId,
    customerId,
    providerId,
    amount: usd(amount),
    startsAt: day(startsAt),
    endsAt: day(endsAt),
  }, note);
}
function bill(date, invoiceId, providerId, customerId, amount, commitmentId) {
  fact('UsageBilled', `invoice:${invoiceId}`, noon(date), ILLUSTRATIVE, {
    invoiceId,
    providerId,
    customerId,
    amount: usd(amount),
    ...(commitmentId ? { commitmentId } : {}),
  });
}
function settle(date, invoiceId, settlementId, amount, method, grantId) {
  fact('InvoiceSettled', `settlement:${invoiceId}:${settlementId}`, noon(date), ILLUSTRATIVE, {
    invoiceId,
    settlementId,
    amount: usd(amount),
    method,
    ...(grantId ? { grantId } : {}),
  });
}
function payment(date, paymentId, payerId, payeeId, amount, purpose) {
  fact('PaymentMade', `payment:${paymentId}`, noon(date), ILLUSTRATIVE, { paymentId, payerId, payeeId, amount: usd(amount), purpose });
}
/**
 * Monthly usage: one bill per month at the month's end, settled in cash in full at the end of
 * the next month (the last month's bill may stay open). `amounts` gives one amount per month.
 */
function monthlyUsage(prefix, providerId, customerId, monthList, amounts, commitmentFor, settleUntil) {
  monthList.forEach((month, index) => {
    const invoiceId = `${prefix}-${ym(month)}`;
    const billed = monthEnd(month[0], month[1]);
    bill(billed, invoiceId, providerId, customerId, amounts[index], commitmentFor ? commitmentFor(month) : undefined);
    const paidOn = nextMonth(month);
    if (ym(paidOn) <= settleUntil) settle(monthEnd(paidOn[0], paidOn[1]), invoiceId, 's1', amounts[index], 'cash');
  });
}

// The sample's horizon: public-deals.md runs to May 2026; usage is billed through April 2026 and
// settled through April 2026 (the April bills stay open, as receivables).
const SETTLE_UNTIL = '2026-04';

// --- 1a. Microsoft ↔ OpenAI --------------------------------------------------------------------
party('2019-07-22', 'microsoft', 'Microsoft Corporation', 'investor', SRC.msft2019);
party('2019-07-22', 'azure', 'Microsoft Azure', 'cloud_provider', SRC.msft2019, 'microsoft');
party('2019-07-22', 'openai', 'OpenAI', 'ai_lab', SRC.msft2019);

investment('2019-07-22', 'msft-oai-2019', 'microsoft', 'openai', B(1), 'equity', SRC.msft2019, '$1B CONFIRMED; Azure exclusive cloud');
funding('2019-07-22', 'msft-oai-2019', 'cash', M(500), SRC.msft2019, 'half in cash: the REPORTED split (DISPUTED)');
fact('ComputeCreditsGranted', 'grant:azure-oai-2019', day('2019-07-22'), SRC.msft2019credits, {
  grantId: 'azure-oai-2019',
  providerId: 'azure',
  recipientId: 'openai',
  amount: usd(M(500)),
  investmentId: 'msft-oai-2019',
}, 'about half in Azure credits: REPORTED (MIT Tech Review 2020), DISPUTED by OpenAI');

investment('2021-01-01', 'msft-oai-2021', 'microsoft', 'openai', B(2), 'equity', SRC.msft2021, '~$2B REPORTED; date within 2021 not public');
funding('2021-01-01', 'msft-oai-2021', 't1', B(2), SRC.msft2021, '~$2B REPORTED');

investment('2023-01-23', 'msft-oai-2023', 'microsoft', 'openai', B(10), 'equity', SRC.msft10q, 'CONFIRMED; ~$10B REPORTED ($13B total commitments in the 10-Q)');
funding('2025-09-30', 'msft-oai-2023', 'by-2025-09-30', cents('8600000000'), SRC.msft10q, '$11.6B of $13B funded by 2025-09-30 (10-Q), less 2019 and 2021');
funding('2026-03-31', 'msft-oai-2023', 'by-2026-03-31', M(200), SRC.msft10q2026, '$11.8B funded by 2026-03-31: REPORTED summary of the 10-Q');

commitment('2025-10-28', 'oai-azure-250b', 'openai', 'azure', B(250), '2025-10-28', '2032-10-28', SRC.oaiAzure250, 'incremental $250B Azure commitment CONFIRMED; term not disclosed (7 years assumed)');

// --- 1b. Amazon ↔ Anthropic -------------------------------------------------------------------
// Anthropic's first fact is Google's 2023 investment (1c), registered there.
party('2023-02-01', 'google', 'Google LLC (Alphabet)', 'investor', SRC.goog2023a);
party('2023-02-01', 'google-cloud', 'Google Cloud', 'cloud_provider', SRC.goog2023a, 'google');
party('2023-02-01', 'anthropic', 'Anthropic PBC', 'ai_lab', SRC.goog2023a);
party('2023-09-25', 'amazon', 'Amazon.com, Inc.', 'investor', SRC.amzn2023);
party('2023-09-25', 'aws', 'Amazon Web Services', 'cloud_provider', SRC.amzn2023, 'amazon');

investment('2023-09-25', 'amzn-ant-2023', 'amazon', 'anthropic', B(4), 'convertible_note', SRC.amzn2023, 'up to $4B CONFIRMED');
funding('2023-09-25', 'amzn-ant-2023', 't1', cents('1250000000'), SRC.amzn2023, '$1.25B initial CONFIRMED');
funding('2024-03-27', 'amzn-ant-2023', 't2', cents('2750000000'), SRC.amzn2024a, '$2.75B second tranche CONFIRMED');
investment('2024-11-22', 'amzn-ant-2024', 'amazon', 'anthropic', B(4), 'convertible_note', SRC.amzn2024b, '+$4B ($8B total) CONFIRMED');
funding('2025-09-30', 'amzn-ant-2024', 'by-2025-09-30', cents('2600000000'), SRC.amzn10q2025, '$6.6B of $8B funded by 2025-09-30 (10-Q, via Reuters)');
funding('2025-12-31', 'amzn-ant-2024', 'by-2025-12-31', cents('1400000000'), SRC.amzn10q2025, '$1.4B due by year-end (10-Q)');
investment('2026-04-20', 'amzn-ant-2026', 'amazon', 'anthropic', B(25), 'equity', SRC.amzn2026, '$5B now + up to $20B on milestones CONFIRMED');
funding('2026-04-20', 'amzn-ant-2026', 't1', B(5), SRC.amzn2026, '$5B now CONFIRMED');
commitment('2026-04-20', 'ant-aws-100b', 'anthropic', 'aws', B(100), '2026-04-20', '2036-04-20', SRC.amzn2026, '>$100B over 10 years CONFIRMED');

// --- 1c. Google ↔ Anthropic -------------------------------------------------------------------
investment('2023-02-01', 'goog-ant-2023-02', 'google', 'anthropic', M(300), 'equity', SRC.goog2023a, '~$300M-$400M REPORTED: the low end; day not public');
funding('2023-02-01', 'goog-ant-2023-02', 't1', M(300), SRC.goog2023a, '~$300M REPORTED');
investment('2023-10-01', 'goog-ant-2023-10', 'google', 'anthropic', B(2), 'convertible_note', SRC.goog2023b, 'up to $2B REPORTED; day not public');
funding('2023-10-01', 'goog-ant-2023-10', 't1', B(2), SRC.goog2023b, '>$3B invested in total REPORTED');
investment('2025-01-22', 'goog-ant-2025', 'google', 'anthropic', B(1), 'equity', SRC.goog2025, '+$1B REPORTED');
funding('2025-01-22', 'goog-ant-2025', 't1', B(1), SRC.goog2025, '+$1B REPORTED');
investment('2026-04-24', 'goog-ant-2026', 'google', 'anthropic', B(40), 'equity', SRC.goog2026, 'up to $40B CONFIRMED; split REPORTED');
funding('2026-04-24', 'goog-ant-2026', 't1', B(10), SRC.goog2026, '$10B cash now REPORTED; $30B on milestones');
commitment('2026-05-05', 'ant-gcp-200b', 'anthropic', 'google-cloud', B(200), '2026-05-05', '2031-05-05', SRC.antGoog200, '$200B over 5 years: REPORTED ONLY (The Information)');

// --- 1d. OpenAI ↔ Amazon / AWS ----------------------------------------------------------------
commitment('2025-11-03', 'oai-aws-38b', 'openai', 'aws', B(38), '2025-11-03', '2032-11-03', SRC.oaiAws38, '$38B over 7 years CONFIRMED');
investment('2026-02-27', 'amzn-oai-2026', 'amazon', 'openai', B(50), 'equity', SRC.amznOai2026, '$50B CONFIRMED; $35B conditional REPORTED');
funding('2026-02-27', 'amzn-oai-2026', 'upfront', B(15), SRC.amznOai2026, '$15B upfront CONFIRMED');
commitment('2026-02-27', 'oai-aws-100b', 'openai', 'aws', B(100), '2026-02-27', '2034-02-27', SRC.amznOai2026, 'AWS deal expanded by $100B over 8 years CONFIRMED');

// --- 1e. Nvidia, SoftBank → OpenAI (the $110B round) -------------------------------------------
// Nvidia and CoreWeave are registered with Project Osprey (1h), their first fact.
party('2026-02-27', 'softbank', 'SoftBank Group Corp.', 'investor', SRC.round2026);
investment('2026-02-27', 'nvda-oai-2026', 'nvidia', 'openai', B(30), 'equity', SRC.round2026, '$30B CONFIRMED (the $100B LOI is not booked: non-binding, stalled)');
funding('2026-02-27', 'nvda-oai-2026', 't1', B(30), SRC.round2026, '$30B CONFIRMED');
investment('2026-02-27', 'sb-oai-2026', 'softbank', 'openai', B(30), 'equity', SRC.round2026, '$30B in three $10B tranches CONFIRMED');
funding('2026-04-01', 'sb-oai-2026', 'apr-2026', B(10), SRC.round2026, 'April 2026 tranche; day not public (Jul/Oct tranches after the horizon)');

// --- 1f. Oracle ↔ OpenAI ↔ Nvidia -------------------------------------------------------------
party('2025-03-31', 'oracle', 'Oracle Corporation', 'cloud_provider', SRC.oracleNvda);
commitment('2025-09-10', 'oai-oracle-300b', 'openai', 'oracle', B(300), '2027-01-01', '2032-01-01', SRC.oaiOracle, '~$300B over ~5 years from 2027: REPORTED (WSJ)');

// --- 1g. AMD ↔ OpenAI --------------------------------------------------------------------------
party('2025-10-06', 'amd', 'Advanced Micro Devices, Inc.', 'chipmaker', SRC.amd);
investment('2025-10-06', 'oai-amd-warrant', 'openai', 'amd', M(1.6), 'warrant', SRC.amdWarrant, 'warrant for 160M AMD shares at $0.01 (exercise price $1.6M) CONFIRMED; not vested');

// --- 1h. CoreWeave web --------------------------------------------------------------------------
party('2023-01-01', 'nvidia', 'NVIDIA Corporation', 'chipmaker', SRC.crwvS1);
party('2023-01-01', 'coreweave', 'CoreWeave, Inc.', 'cloud_provider', SRC.crwvS1);
investment('2023-01-01', 'nvda-crwv-2023', 'nvidia', 'coreweave', M(100), 'equity', SRC.osprey, '$100M equity REPORTED; day not public');
funding('2023-01-01', 'nvda-crwv-2023', 't1', M(100), SRC.osprey, '$100M REPORTED');
commitment('2023-01-01', 'nvda-crwv-osprey', 'nvidia', 'coreweave', cents('1300000000'), '2023-01-01', '2027-01-01', SRC.osprey, '$1.3B over 4 years to rent back GPUs REPORTED');
commitment('2023-01-01', 'msft-crwv-10b', 'azure', 'coreweave', B(10), '2023-01-01', '2031-01-01', SRC.msftCrwv, '~$10B of server rentals 2023-2030 REPORTED');
commitment('2025-03-10', 'oai-crwv-msa', 'openai', 'coreweave', cents('11900000000'), '2025-03-10', '2030-03-10', SRC.oaiCrwv, '$11.9B 5-year MSA CONFIRMED');
investment('2025-03-10', 'oai-crwv-stock', 'openai', 'coreweave', M(350), 'equity', SRC.oaiCrwv, '$350M of Class A stock issued to OpenAI pursuant to the MSA CONFIRMED; no cash');
commitment('2025-05-01', 'oai-crwv-2025-05', 'openai', 'coreweave', B(4), '2025-05-01', '2030-03-10', SRC.oaiCrwvMore, '+$4B CONFIRMED per Reuters; term assumed to end with the MSA');
commitment('2025-09-25', 'oai-crwv-2025-09', 'openai', 'coreweave', cents('6500000000'), '2025-09-25', '2030-03-10', SRC.oaiCrwvMore, '+$6.5B ($22.4B total) CONFIRMED per Reuters; term assumed to end with the MSA');
commitment('2025-09-01', 'nvda-crwv-backstop', 'nvidia', 'coreweave', cents('6300000000'), '2025-09-01', '2032-05-01', SRC.nvdaCrwv, '$6.3B order, residual capacity through April 2032 CONFIRMED (8-K via CNBC)');
investment('2026-01-26', 'nvda-crwv-2026', 'nvidia', 'coreweave', B(2), 'equity', SRC.nvdaCrwv, '$2B of Class A stock at $87.20 CONFIRMED');
funding('2026-01-26', 'nvda-crwv-2026', 't1', B(2), SRC.nvdaCrwv, '$2B CONFIRMED');

// --- 1i. Microsoft + Nvidia ↔ Anthropic; Nvidia ↔ xAI ------------------------------------------
commitment('2025-11-18', 'ant-azure-30b', 'anthropic', 'azure', B(30), '2025-11-18', '2030-11-18', SRC.antAzure, '$30B of Azure CONFIRMED; term not disclosed (5 years assumed)');
investment('2025-11-18', 'msft-ant-2025', 'microsoft', 'anthropic', B(5), 'equity', SRC.antAzure, 'up to $5B CONFIRMED; no funding disclosed');
investment('2025-11-18', 'nvda-ant-2025', 'nvidia', 'anthropic', B(10), 'equity', SRC.antAzure, 'up to $10B CONFIRMED; no funding disclosed');

party('2025-10-07', 'xai', 'xAI', 'ai_lab', SRC.xaiSpv);
party('2025-10-07', 'xai-gpu-spv', 'xAI GPU SPV (buys Nvidia GPUs, leases them to xAI for 5 years)', 'other', SRC.xaiSpv);
party('2025-10-07', 'xai-spv-equity', 'Other equity investors in the xAI GPU SPV', 'investor', SRC.xaiSpv);
party('2025-10-07', 'xai-spv-lenders', 'Lenders to the xAI GPU SPV', 'other', SRC.xaiSpv);
investment('2025-10-07', 'others-xaispv-2025', 'xai-spv-equity', 'xai-gpu-spv', cents('5500000000'), 'equity', SRC.xaiSpv, '~$7.5B equity less Nvidia\'s $2B: REPORTED');
funding('2025-10-07', 'others-xaispv-2025', 't1', cents('5500000000'), SRC.xaiSpv, 'REPORTED');
investment('2025-10-07', 'nvda-xaispv-2025', 'nvidia', 'xai-gpu-spv', B(2), 'equity', SRC.xaiSpv, 'up to $2B of the equity REPORTED');
funding('2025-10-07', 'nvda-xaispv-2025', 't1', B(2), SRC.xaiSpv, 'REPORTED');
investment('2025-10-07', 'lenders-xaispv-2025', 'xai-spv-lenders', 'xai-gpu-spv', cents('12500000000'), 'loan', SRC.xaiSpv, 'up to $12.5B debt REPORTED');
funding('2025-10-07', 'lenders-xaispv-2025', 't1', cents('12500000000'), SRC.xaiSpv, 'REPORTED');

// ---------------------------------------------------------------------------------------------
// Illustrative flows (source "illustrative"); README.md says which estimate each follows.

// (I1) 2019–2022: OpenAI's Azure usage paid with Microsoft's credits ("barely a dime" of cash):
// quarterly bills, ramping 25/25 (2019 H2), 25×4 (2020), 37.5×4 (2021), 50×4 (2022) = $500M.
{
  const quarters = [
    ['2019-09-30', 25], ['2019-12-31', 25],
    ['2020-03-31', 25], ['2020-06-30', 25], ['2020-09-30', 25], ['2020-12-31', 25],
    ['2021-03-31', 37.5], ['2021-06-30', 37.5], ['2021-09-30', 37.5], ['2021-12-31', 37.5],
    ['2022-03-31', 50], ['2022-06-30', 50], ['2022-09-30', 50], ['2022-12-31', 50],
  ];
  for (const [date, millions] of quarters) {
    const invoiceId = `azure-oai-${date.slice(0, 7)}`;
    bill(date, invoiceId, 'azure', 'openai', M(millions));
    settle(date, invoiceId, 'credits', M(millions), 'credits', 'azure-oai-2019');
  }
}

// (I2) OpenAI's Azure inference: $3.7B in 2024, ~$8.67B in the first 9 months of 2025 (leaked
// figures, DISPUTED), then the same monthly run-rate to April 2026; bills against the $250B
// commitment once it is signed (November 2025 on).
{
  const list2024 = months(2024, 1, 2024, 12);
  const list2025 = months(2025, 1, 2025, 9);
  const after = months(2025, 10, 2026, 4);
  const rate2025 = split(cents('8670000000'), 9);
  const amounts = [...split(cents('3700000000'), 12), ...rate2025, ...after.map(() => rate2025[0])];
  monthlyUsage('azure-oai', 'azure', 'openai', [...list2024, ...list2025, ...after], amounts, (m) => (ym(m) >= '2025-11' ? 'oai-azure-250b' : undefined), SETTLE_UNTIL);
}

// (I3) OpenAI → Microsoft revenue share: $493.8M in 2024, $865.8M in 9M 2025 (leaked, DISPUTED),
// paid quarterly; Q4 2025 and Q1 2026 at the 2025 quarterly rate.
{
  const q2024 = split(cents('493800000'), 4);
  const q2025 = split(cents('865800000'), 3);
  const quarters = [
    ['2024-03-31', q2024[0]], ['2024-06-30', q2024[1]], ['2024-09-30', q2024[2]], ['2024-12-31', q2024[3]],
    ['2025-03-31', q2025[0]], ['2025-06-30', q2025[1]], ['2025-09-30', q2025[2]],
    ['2025-12-31', q2025[0]], ['2026-03-31', q2025[0]],
  ];
  for (const [date, amount] of quarters) payment(date, `oai-msft-revshare-${date.slice(0, 7)}`, 'openai', 'microsoft', amount, 'other');
}

// (I4) Anthropic on AWS: Morgan Stanley's $1.28B for 2025, spread monthly; 2026 at $2.74B a year,
// the Morgan Stanley 2025–27 path (≈ $9.9B) split between 2026 and 2027 by a constant growth
// factor g: 1.28·(g + g²) = 8.62 → g ≈ 2.143, 2026 ≈ $2.743B. The April 2026 bill is the first
// against the $100B commitment.
const AWS_ANT_2026_MONTHLY = roundHalfUp(cents('2743000000'), 12n);
{
  const list = [...months(2025, 1, 2025, 12), ...months(2026, 1, 2026, 4)];
  const amounts = [...split(cents('1280000000'), 12), ...months(2026, 1, 2026, 4).map(() => AWS_ANT_2026_MONTHLY)];
  monthlyUsage('aws-ant', 'aws', 'anthropic', list, amounts, (m) => (ym(m) >= '2026-04' ? 'ant-aws-100b' : undefined), SETTLE_UNTIL);
}

// (I5) Anthropic on Google Cloud, 2026: >1 GW of TPUs in 2026 (2025-10-23 deal, no dollar value)
// priced at the AWS deal's ≥ $2B per GW-year [calc: $100B / 10 years / 5 GW] → $2B a year.
{
  const list = months(2026, 1, 2026, 4);
  monthlyUsage('gcp-ant', 'google-cloud', 'anthropic', list, list.map(() => roundHalfUp(B(2), 12n)), undefined, SETTLE_UNTIL);
}

// (I6) OpenAI on AWS: the $38B/7-year contract with all capacity by end-2026: a linear ramp
// from November 2025 to full rate ($38B / 84 months) in December 2026.
{
  const list = months(2025, 11, 2026, 4);
  const fullRate = cents('38000000000');
  const amounts = list.map((_, i) => roundHalfUp(fullRate * BigInt(i + 1), 84n * 14n));
  monthlyUsage('aws-oai', 'aws', 'openai', list, amounts, () => 'oai-aws-38b', SETTLE_UNTIL);
}

// (I7) OpenAI on CoreWeave: each commitment billed straight-line over its term, from the month
// after signing (MSA $11.9B over 60 months; +$4B over 58; +$6.5B over 54, to March 2030).
{
  const schedules = [
    ['crwv-oai-msa', 'oai-crwv-msa', cents('11900000000'), 60, [2025, 4]],
    ['crwv-oai-exp1', 'oai-crwv-2025-05', B(4), 58, [2025, 6]],
    ['crwv-oai-exp2', 'oai-crwv-2025-09', cents('6500000000'), 54, [2025, 10]],
  ];
  for (const [prefix, commitmentId, total, term, [y, m]] of schedules) {
    const list = months(y, m, 2026, 4);
    const monthly = roundHalfUp(total, BigInt(term));
    monthlyUsage(prefix, 'coreweave', 'openai', list, list.map(() => monthly), () => commitmentId, SETTLE_UNTIL);
  }
}

// (I8) Microsoft (Azure) on CoreWeave: 62% of CoreWeave's 2024 revenue of $1.92B = $1,190.4M in
// 2024 (S-1), monthly; the same run-rate to April 2026; against the ~$10B commitment.
{
  const list = [...months(2024, 1, 2024, 12), ...months(2025, 1, 2026, 4)];
  const monthly = split(cents('1190400000'), 12);
  monthlyUsage('crwv-msft', 'coreweave', 'azure', list, list.map((_, i) => monthly[i % 12]), () => 'msft-crwv-10b', SETTLE_UNTIL);
}

// (I9) Nvidia renting back CoreWeave GPUs (Project Osprey): ~15% of CoreWeave's 2024 revenue =
// $288M in 2024, monthly; the same run-rate to April 2026; against the $1.3B commitment.
{
  const list = [...months(2024, 1, 2024, 12), ...months(2025, 1, 2026, 4)];
  monthlyUsage('crwv-nvda', 'coreweave', 'nvidia', list, list.map(() => M(24)), () => 'nvda-crwv-osprey', SETTLE_UNTIL);
}

// (I10) CoreWeave buys Nvidia systems: no public figure; sized with New Street's 29%/71% split
// (Nvidia's own money ≈ 29% of what a customer it invests in spends with it): after each Nvidia
// equity injection, purchases of 1/0.29 times its amount (2023: $100M → $344.83M; 2026: $2B →
// $6,896.55M over February–April 2026).
{
  payment('2023-06-30', 'crwv-nvda-hw-2023-06', 'coreweave', 'nvidia', roundHalfUp(M(100) * 100n, 29n), 'hardware');
  const total2026 = roundHalfUp(B(2) * 100n, 29n);
  const parts = split(total2026, 3);
  ['2026-02-28', '2026-03-31', '2026-04-30'].forEach((date, i) => payment(date, `crwv-nvda-hw-${date.slice(0, 7)}`, 'coreweave', 'nvidia', parts[i], 'hardware'));
}

// (I11) Oracle's ~$40B of GB200s for the OpenAI build (REPORTED, 2025): paid in four quarterly
// instalments of $10B in 2025 (the schedule is not public).
for (const date of ['2025-03-31', '2025-06-30', '2025-09-30', '2025-12-31']) payment(date, `oracle-nvda-gb200-${date.slice(0, 7)}`, 'oracle', 'nvidia', B(10), 'hardware');

// (I12) The xAI SPV buys Nvidia GPUs with its ~$20B: quarterly instalments of $5B from Q4 2025
// (two fall within the horizon; the schedule is not public).
for (const date of ['2025-12-31', '2026-03-31']) payment(date, `xaispv-nvda-gpus-${date.slice(0, 7)}`, 'xai-gpu-spv', 'nvidia', B(5), 'hardware');

// ---------------------------------------------------------------------------------------------
// Order: by business time, ties in the order above (parties, then deals, then flows as written);
// every reference is then to an earlier line, as ingestion requires.

facts.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.order - b.order));

const seen = new Set();
const lines = facts.map((f) => {
  const eventId = uuidv5(NAMESPACE, `${f.type}:${f.key}`);
  if (seen.has(eventId)) throw new Error(`duplicate fact key ${f.type}:${f.key}`);
  seen.add(eventId);
  f.eventId = eventId;
  return JSON.stringify({ eventId, type: f.type, schemaVersion: 1, occurredAt: f.occurredAt, source: f.source, data: f.data });
});

if (process.argv.includes('--table')) {
  const money = (data) => data.amount?.amount ?? '';
  console.log('| date | type | id | parties | amount (USD) | status / note | source |');
  console.log('|---|---|---|---|---|---|---|');
  for (const f of facts) {
    if (f.source === ILLUSTRATIVE || f.type === 'PartyRegistered') continue;
    const d = f.data;
    const id = d.grantId ?? (d.investmentId && d.trancheId ? `${d.investmentId}/${d.trancheId}` : d.investmentId ?? d.commitmentId);
    const parties = d.investorId ? `${d.investorId} → ${d.investeeId}` : d.customerId ? `${d.customerId} → ${d.providerId}` : d.providerId ? `${d.providerId} → ${d.recipientId}` : '';
    console.log(`| ${f.occurredAt.slice(0, 10)} | ${f.type} | ${id} | ${parties} | ${money(d)} | ${f.note} | ${f.source} |`);
  }
} else if (process.argv.includes('--check')) {
  const committed = readFileSync(OUTPUT, 'utf8');
  if (committed !== lines.join('\n') + '\n') {
    console.error(`${OUTPUT} differs from what build-sample.mjs builds: run it and commit the result`);
    process.exit(1);
  }
  console.log(`${OUTPUT}: up to date (${lines.length} facts)`);
} else {
  writeFileSync(OUTPUT, lines.join('\n') + '\n');
  const counts = {};
  for (const f of facts) counts[f.type] = (counts[f.type] ?? 0) + 1;
  const illustrative = facts.filter((f) => f.source === ILLUSTRATIVE).length;
  console.log(`${OUTPUT}: ${lines.length} facts (${lines.length - illustrative} sourced, ${illustrative} illustrative)`);
  console.log(JSON.stringify(counts));
}
