import { parseArgs } from 'node:util';
import { openDatabase, DatabaseOpenError } from '../db/client';
import { EnvError, parseEnv } from '../env';
import { tokenCreate, tokenList, tokenRevoke } from './token-commands';
import { UsageError } from './usage-error';
import { userAdd } from './user-add';

const USAGE = `Usage: npm run admin -- <command>

Commands:
  user add <name> [--admin] [--password-stdin]
      Create a user. Prints a generated password on stdout,
      or reads the password from stdin with --password-stdin.
  token create <user>
      Create an API token for the OpenAI-compatible API (/v1).
      Prints the token, and nothing else, on stdout; it is shown only once.
  token list <user> [--json]
      List a user's API tokens: id, created, last used, revoked.
  token revoke <token-or-id>
      Revoke an API token, given whole or by its id.

Environment: DATABASE_PATH (default ./data/phosphor.db) selects the database.`;

function parseCommandLine(argv: string[]) {
	try {
		return parseArgs({
			args: argv,
			allowPositionals: true,
			options: {
				admin: { type: 'boolean', default: false },
				'password-stdin': { type: 'boolean', default: false },
				json: { type: 'boolean', default: false },
				help: { type: 'boolean', short: 'h', default: false }
			}
		});
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message : String(error));
	}
}

async function run(argv: string[]): Promise<number> {
	const { values, positionals } = parseCommandLine(argv);
	if (values.help || positionals.length === 0) {
		process.stdout.write(`${USAGE}\n`);
		return values.help ? 0 : 2;
	}
	const env = parseEnv(process.env);
	const database = openDatabase(env.DATABASE_PATH);
	try {
		const [group, verb, ...rest] = positionals;
		if (group === 'user' && verb === 'add') {
			return await userAdd(database.db, rest, { admin: values.admin, passwordStdin: values['password-stdin'] });
		}
		if (group === 'token' && verb === 'create') return tokenCreate(database.db, rest);
		if (group === 'token' && verb === 'list') return tokenList(database.db, rest, { json: values.json });
		if (group === 'token' && verb === 'revoke') return tokenRevoke(database.db, rest);
		throw new UsageError(`Unknown command: ${positionals.join(' ')}`);
	} finally {
		database.close();
	}
}

run(process.argv.slice(2)).then(
	(code) => process.exit(code),
	(error: unknown) => {
		const known = error instanceof UsageError || error instanceof EnvError || error instanceof DatabaseOpenError;
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`admin: ${message}\n`);
		if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
		if (!known && error instanceof Error && error.name !== 'UsernameTakenError') {
			process.stderr.write(`${error.stack ?? ''}\n`);
		}
		process.exit(error instanceof UsageError ? 2 : 1);
	}
);
