import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CapflowCliModule } from './capflow-cli.module';
import { reportFailure } from './output/cli-failure';

async function main(): Promise<void> {
  await CommandFactory.run(CapflowCliModule, {
    logger: false,
    cliName: 'capflow',
    errorHandler: (error) => {
      // commander's own exits (--help, unknown option): keep its exit code, 1 for usage errors
      const code = (error as { exitCode?: number }).exitCode;
      process.exit(code === undefined ? 1 : code);
    },
    serviceErrorHandler: reportFailure,
  });
}

main().catch((error: unknown) => {
  reportFailure(error);
});
