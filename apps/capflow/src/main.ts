import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CapflowCliModule } from './capflow-cli.module';
import { reportFailure } from './output/cli-failure';

// A reader that goes away (`capflow events | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

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
