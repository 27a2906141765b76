import { DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS, REVENUE_PERIODS, RevenuePeriod } from '@capflow/projections';
import {
  asCsv,
  CIRCULAR_REVENUE,
  COMMITMENTS,
  DEAL_LINKS,
  CREDITS,
  FLOWS,
  flowsAsDot,
  flowsAsMermaid,
  PROVIDER_BACKLOG,
  RESTATEMENTS,
  ROUND_TRIP_FILTERS,
  ROUND_TRIPS,
  ROUND_TRIPS_SERIES,
  roundTripRows,
  rowsRequestOf,
  seriesRows,
  TRACE,
} from '@capflow/queries';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliUsageError, reportFailure } from '../output/cli-failure';
import { groupDigits } from '../output/digit-grouping';
import { formatTable } from '../output/table';
import { asTable, printReport } from '../reports/print-report';
import { ReportService } from '../reports/report.service';
import { nextPageLine, RowsCommand, RowsOptions, selectionOf, seriesOf, ViewCommand, ViewOptions } from './view-command';

const ROWS_NAMES = { limit: '--limit', after: '--after', investorGroup: '--investor-group', investeeId: '--investee-id', currency: '--currency' };

const quiet = (options: ViewOptions) => Boolean(options.json || options.csv);

@SubCommand({ name: 'round-trips', description: 'how much of each investment came back to its investor group (TRACING.md)' })
export class RoundTripsCommand extends RowsCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  @Option({ flags: '--policy <policy>', description: 'fifo or pro_rata', required: true })
  parsePolicy(value: string): string {
    if (value !== 'fifo' && value !== 'pro_rata') throw new CliUsageError(`--policy takes fifo or pro_rata, not ${JSON.stringify(value)}`);
    return value;
  }

  @Option({ flags: '--investor-group <group>', description: 'only the investments of this investor group' })
  parseInvestorGroup(value: string): string {
    return value;
  }

  @Option({ flags: '--investee-id <partyId>', description: 'only the investments in this investee' })
  parseInvesteeId(value: string): string {
    return value;
  }

  async run(_: string[], options: RowsOptions & { policy: 'fifo' | 'pro_rata'; investorGroup?: string; investeeId?: string }): Promise<void> {
    try {
      const series = seriesOf(options);
      const rows = rowsRequestOf(options, ROUND_TRIP_FILTERS, ROWS_NAMES);
      if (series) {
        const points = await this.reports.with(options.store, ({ queries }) => queries.roundTripsSeries(options.policy, series), quiet(options));
        const { policy } = points;
        const answer = seriesRows(points, rows, ROWS_NAMES, (point) => ({ ...point, investments: roundTripRows({ policy, ...point }, rows).investments }));
        return printReport(answer, options, ROUND_TRIPS_SERIES);
      }
      const selection = selectionOf(options);
      const report = await this.reports.with(options.store, ({ queries }) => queries.roundTrips(options.policy, selection), quiet(options));
      const answer = roundTripRows(report, rows);
      printReport(answer, options, ROUND_TRIPS, nextPageLine(answer));
    } catch (error) {
      reportFailure(error);
    }
  }
}

@SubCommand({ name: 'circular-revenue', description: "of the revenue each provider group received from each customer group, how much was its own investment coming back (TRACING.md 1.1)" })
export class CircularRevenueCommand extends ViewCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  @Option({ flags: '--policy <policy>', description: 'fifo or pro_rata', required: true })
  parsePolicy(value: string): string {
    if (value !== 'fifo' && value !== 'pro_rata') throw new CliUsageError(`--policy takes fifo or pro_rata, not ${JSON.stringify(value)}`);
    return value;
  }

  @Option({ flags: '--period <period>', description: 'month, quarter (default) or year' })
  parsePeriod(value: string): string {
    if (!REVENUE_PERIODS.includes(value as RevenuePeriod)) throw new CliUsageError(`--period takes month, quarter or year, not ${JSON.stringify(value)}`);
    return value;
  }

  async run(_: string[], options: ViewOptions & { policy: 'fifo' | 'pro_rata'; period?: RevenuePeriod }): Promise<void> {
    try {
      const selection = selectionOf(options);
      const period = options.period ?? 'quarter';
      const report = await this.reports.with(options.store, ({ queries }) => queries.circularRevenue(options.policy, period, selection), quiet(options));
      printReport(report, options, CIRCULAR_REVENUE);
    } catch (error) {
      reportFailure(error);
    }
  }
}

@SubCommand({ name: 'deal-links', description: "investments with the investee's compute commitments to the investor group signed within a window (TRACING.md 1.1)" })
export class DealLinksCommand extends ViewCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  @Option({ flags: '--window-days <days>', description: `days before and after the investment's commitment, 0 to ${MAX_WINDOW_DAYS} (default ${DEFAULT_WINDOW_DAYS})` })
  parseWindowDays(value: string): number {
    if (!/^\d{1,4}$/.test(value) || Number(value) > MAX_WINDOW_DAYS)
      throw new CliUsageError(`--window-days takes a whole number of days from 0 to ${MAX_WINDOW_DAYS}, not ${JSON.stringify(value)}`);
    return Number(value);
  }

  async run(_: string[], options: ViewOptions & { windowDays?: number }): Promise<void> {
    try {
      const selection = selectionOf(options);
      const windowDays = options.windowDays ?? DEFAULT_WINDOW_DAYS;
      const report = await this.reports.with(options.store, ({ queries }) => queries.dealLinks(windowDays, selection), quiet(options));
      printReport(report, options, DEAL_LINKS);
    } catch (error) {
      reportFailure(error);
    }
  }
}

@SubCommand({ name: 'trace', description: "one investment's money: every flow that carried its tag, under both policies" })
export class TraceCommand extends ViewCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  @Option({ flags: '--investment <investmentId>', description: 'the investment to trace', required: true })
  parseInvestment(value: string): string {
    return value;
  }

  async run(_: string[], options: ViewOptions & { investment: string }): Promise<void> {
    try {
      const selection = selectionOf(options);
      const report = await this.reports.with(options.store, ({ queries }) => queries.trace(options.investment, selection));
      const holdings = (['fifo', 'pro_rata'] as const)
        .map((policy) => `${policy}: ${report.holdings[policy].map((h) => `${h.partyId} ${groupDigits(h.amount)}`).join(', ') || 'none'}`)
        .join('\n');
      printReport(report, options, TRACE, `\nwhere the money is now (${report.currency})\n${holdings}\n`);
    } catch (error) {
      reportFailure(error);
    }
  }
}

@SubCommand({ name: 'commitments', description: "compute commitments: committed, billed, remaining (the provider's backlog)" })
export class CommitmentsCommand extends ViewCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  async run(_: string[], options: ViewOptions): Promise<void> {
    try {
      const selection = selectionOf(options);
      const report = await this.reports.with(options.store, ({ queries }) => queries.commitments(selection), quiet(options));
      printReport(report, options, COMMITMENTS, `\nper provider\n${asTable(PROVIDER_BACKLOG, report)}\n`);
    } catch (error) {
      reportFailure(error);
    }
  }
}

@SubCommand({ name: 'credits', description: 'compute credit grants: granted, used, expired, remaining' })
export class CreditsCommand extends ViewCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  async run(_: string[], options: ViewOptions): Promise<void> {
    try {
      const selection = selectionOf(options);
      const report = await this.reports.with(options.store, ({ queries }) => queries.credits(selection), quiet(options));
      printReport(report, options, CREDITS);
    } catch (error) {
      reportFailure(error);
    }
  }
}

@SubCommand({ name: 'flows', description: 'money between groups by kind, and the cycles it makes' })
export class FlowsCommand extends ViewCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  @Option({ flags: '--format <format>', description: 'table (default), json, csv, dot (Graphviz) or mermaid', choices: ['table', 'json', 'csv', 'dot', 'mermaid'] })
  parseFormat(value: string): string {
    return value;
  }

  async run(_: string[], options: ViewOptions & { format?: string }): Promise<void> {
    try {
      const selection = selectionOf(options);
      const format = options.format ?? (options.json ? 'json' : options.csv ? 'csv' : 'table');
      const report = await this.reports.with(options.store, ({ queries }) => queries.flows(selection), format !== 'table');
      if (format === 'dot') process.stdout.write(flowsAsDot(report));
      else if (format === 'mermaid') process.stdout.write(flowsAsMermaid(report));
      else if (format === 'json') process.stdout.write(`${JSON.stringify(report)}\n`);
      else if (format === 'csv') process.stdout.write(asCsv(FLOWS, report));
      else {
        const cycles = report.currencies.flatMap((c) =>
          c.cycles.map((cycle) => [c.currency, cycle.groups.join(' → '), `${cycle.weakest.from} → ${cycle.weakest.to}`, groupDigits(cycle.weakest.amount)]),
        );
        const footer = `\ncycles (money around each is at most its weakest edge)\n${formatTable(['currency', 'cycle', 'weakest edge', 'amount'], cycles, new Set([3]))}\n`;
        printReport(report, {}, FLOWS, footer);
      }
    } catch (error) {
      reportFailure(error);
    }
  }
}

@SubCommand({ name: 'restatements', description: 'facts that arrived late or reversed others, and the figures they changed' })
export class RestatementsCommand extends ViewCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  async run(_: string[], options: ViewOptions): Promise<void> {
    try {
      const selection = selectionOf(options);
      const report = await this.reports.with(options.store, ({ queries }) => queries.restatements(selection), quiet(options));
      printReport(report, options, RESTATEMENTS);
    } catch (error) {
      reportFailure(error);
    }
  }
}

@Command({
  name: 'report',
  description: 'round-trips, circular-revenue, deal-links, trace, commitments, credits, flows, restatements',
  subCommands: [
    RoundTripsCommand,
    CircularRevenueCommand,
    DealLinksCommand,
    TraceCommand,
    CommitmentsCommand,
    CreditsCommand,
    FlowsCommand,
    RestatementsCommand,
  ],
})
export class ReportCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
