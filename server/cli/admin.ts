import { parseArgs } from 'node:util';
import { openDatabase, DatabaseOpenError } from '../db/client';
import { EnvError, parseEnv } from '../env';
import { NotFoundError } from '../ledger/budgets';
import { budgetList, budgetRemove, budgetSet } from './budget-commands';
import { teamAdd, teamList, teamMemberAdd } from './team-commands';
import { tokenCreate, tokenList, tokenRevoke } from './token-commands';
import { usageExport, usageShow } from './usage-commands';
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
  team add <name>
      Create a team.
  team member add <team> <user>
      Put a user in a team (a user is in one team at most; this moves them).
  team list [--json]
      List teams and their members.
  budget set <user|team:name> --limit-usd <usd> --period day|month|total [--alerts 80,100]
      Set (or replace) the hard spending limit of a user, or of a team with team:<name>.
      Alerts fire once per period at each percentage (default 80,100; --alerts "" for none).
  budget remove <user|team:name>
      Remove a budget; spend keeps being recorded.
  budget list [--json]
      List budgets with their spend in the current period.
  usage show <user> [--json]
      Spend and reservations of a user and of their team, in their budgets' current periods.
  usage export --from <YYYY-MM-DD> --to <YYYY-MM-DD>
      Every charge and correction of those UTC days (both included) as CSV on stdout.

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
				'limit-usd': { type: 'string' },
				period: { type: 'string' },
				alerts: { type: 'string' },
				from: { type: 'string' },
				to: { type: 'string' },
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
		if (group === 'team' && verb === 'add') return teamAdd(database.db, rest);
		if (group === 'team' && verb === 'member' && rest[0] === 'add') return teamMemberAdd(database.db, rest.slice(1));
		if (group === 'team' && verb === 'list') return teamList(database.db, rest, { json: values.json });
		if (group === 'budget' && verb === 'set') {
			return budgetSet(database, rest, { limitUsd: values['limit-usd'], period: values.period, alerts: values.alerts });
		}
		if (group === 'budget' && verb === 'remove') return budgetRemove(database, rest);
		if (group === 'budget' && verb === 'list') return budgetList(database, rest, { json: values.json });
		if (group === 'usage' && verb === 'show') return usageShow(database, rest, { json: values.json });
		if (group === 'usage' && verb === 'export') return await usageExport(database, rest, { from: values.from, to: values.to });
		throw new UsageError(`Unknown command: ${positionals.join(' ')}`);
	} finally {
		database.close();
	}
}

run(process.argv.slice(2)).then(
	(code) => process.exit(code),
	(error: unknown) => {
		const known = error instanceof UsageError || error instanceof EnvError || error instanceof DatabaseOpenError || error instanceof NotFoundError;
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`admin: ${message}\n`);
		if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
		if (!known && error instanceof Error && error.name !== 'UsernameTakenError') {
			process.stderr.write(`${error.stack ?? ''}\n`);
		}
		process.exit(error instanceof UsageError ? 2 : 1);
	}
);
