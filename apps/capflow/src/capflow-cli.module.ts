import { Module } from '@nestjs/common';
import { EventsCommand } from './commands/events.command';
import { ImportCommand } from './commands/import.command';
import { SchemaCommand } from './commands/schema.command';
import { VerifyCommand } from './commands/verify.command';
import { CapflowConfig } from './config/capflow-config';
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
    SchemaCommand,
  ],
})
export class CapflowCliModule {}
