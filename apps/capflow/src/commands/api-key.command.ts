import { Command, CommandRunner, Option } from 'nest-commander';
import { ApiKeyring } from '../../../audit-api/src/auth/api-keyring';
import { isRole, Role, ROLES } from '../../../audit-api/src/auth/role';
import { CliUsageError, reportFailure } from '../output/cli-failure';

/** A new API key: the secret, shown once, and the CAPFLOW_API_KEYS entry that holds only its hash. */
@Command({ name: 'api-key', description: 'create an API key for the audit API: prints the key once and its CAPFLOW_API_KEYS entry' })
export class ApiKeyCommand extends CommandRunner {
  @Option({ flags: '--name <name>', description: 'who holds it (shown in the access log)', required: true })
  parseName(value: string): string {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) throw new CliUsageError('--name is 1–64 letters, digits, ".", "_" or "-"');
    return value;
  }

  @Option({ flags: '--role <roles>', description: `${ROLES.join(', ')}; several joined by "+"`, required: true })
  parseRole(value: string): string {
    const bad = value.split('+').find((role) => !isRole(role));
    if (bad !== undefined) throw new CliUsageError(`--role takes ${ROLES.join(', ')} (joined by "+"), not ${JSON.stringify(bad)}`);
    return value;
  }

  async run(_: string[], options: { name: string; role: string }): Promise<void> {
    try {
      const { key, entry } = ApiKeyring.generate(options.name, [...new Set(options.role.split('+'))] as Role[]);
      process.stdout.write(
        `key (give it to ${options.name}; it is not stored anywhere):\n  ${key}\n` +
          `entry (append to CAPFLOW_API_KEYS, comma-separated):\n  ${ApiKeyring.format([entry])}\n`,
      );
    } catch (error) {
      reportFailure(error);
    }
  }
}
