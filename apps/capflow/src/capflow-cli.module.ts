import { Module } from '@nestjs/common';
import { ApiKeyCommand } from './commands/api-key.command';
import { BalancesCommand } from './commands/balances.command';
import { DemoCommand } from './commands/demo.command';
import { DlqCommandGroup, DlqListCommand, DlqReplayCommand, DlqShowCommand } from './commands/dlq.command';
import { EventsCommand } from './commands/events.command';
import { ExportCommand } from './commands/export.command';
import { ImportCommand } from './commands/import.command';
import { IngestCommand } from './commands/ingest.command';
import { ProduceCommand } from './commands/produce.command';
import { ProjectCommand } from './commands/project.command';
import { ProjectionsCommand } from './commands/projections.command';
import { ReplayCommand } from './commands/replay.command';
import {
  CircularRevenueCommand,
  CommitmentsCommand,
  CreditsCommand,
  DealLinksCommand,
  FlowsCommand,
  ReportCommand,
  RestatementsCommand,
  RoundTripsCommand,
  TraceCommand,
} from './commands/report.command';
import { SchemaCommand } from './commands/schema.command';
import { ServeCommand } from './commands/serve.command';
import { VerifyCommand } from './commands/verify.command';
import { CapflowConfig } from './config/capflow-config';
import { ReportService } from './reports/report.service';
import { Clock } from './store/clock';
import { StoreOpener } from './store/store-opener.service';

@Module({
  providers: [
    { provide: CapflowConfig, useFactory: () => CapflowConfig.fromEnvironment() },
    Clock,
    StoreOpener,
    ImportCommand,
    VerifyCommand,
    EventsCommand,
    ExportCommand,
    SchemaCommand,
    ReportService,
    BalancesCommand,
    ReportCommand,
    RoundTripsCommand,
    CircularRevenueCommand,
    DealLinksCommand,
    TraceCommand,
    CommitmentsCommand,
    CreditsCommand,
    FlowsCommand,
    RestatementsCommand,
    ReplayCommand,
    ProjectCommand,
    ProjectionsCommand,
    ProduceCommand,
    IngestCommand,
    DlqCommandGroup,
    DlqListCommand,
    DlqShowCommand,
    DlqReplayCommand,
    ServeCommand,
    DemoCommand,
    ApiKeyCommand,
  ],
})
export class CapflowCliModule {}
