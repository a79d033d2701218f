import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { teams } from '../db/schema';
import { addTeamMember, createTeam } from '../ledger/budgets';
import { listTeams } from '../ledger/team-list';
import { fail } from './fail';
import { formatTable } from './text-table';
import { UsageError } from './usage-error';

// The same bound as a budget's name, so every team can be given a budget.
const TeamName = z
	.string()
	.trim()
	.min(1, 'Give the team a name.')
	.max(64, 'A team name has at most 64 characters.')
	.regex(/^[^\p{Cc}]+$/u, 'A team name cannot contain control characters.');

/** `team add <name>` */
export function teamAdd(db: Db, args: string[]): number {
	if (args.length !== 1) throw new UsageError('team add takes exactly one name.');
	const parsed = TeamName.safeParse(args[0]);
	if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'Invalid team name.');
	const name = parsed.data;
	if (db.select({ id: teams.id }).from(teams).where(eq(teams.name, name)).get()) return fail(`A team named "${name}" already exists.`);
	createTeam(db, name);
	process.stdout.write(`Created team ${name}.\n`);
	return 0;
}

/** `team member add <team> <user>`: moves the user out of any other team. */
export function teamMemberAdd(db: Db, args: string[]): number {
	const [team, user] = args;
	if (args.length !== 2 || !team || !user) throw new UsageError('team member add takes a team name and a username.');
	addTeamMember(db, team, user);
	process.stdout.write(`Added ${user} to team ${team}.\n`);
	return 0;
}

/** `team list [--json]` */
export function teamList(db: Db, args: string[], opts: { json: boolean }): number {
	if (args.length !== 0) throw new UsageError('team list takes no arguments.');
	const list = listTeams(db);
	if (opts.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
	else if (list.length === 0) process.stdout.write('No teams.\n');
	else process.stdout.write(formatTable(['TEAM', 'MEMBERS'], list.map((t) => [t.name, t.members.join(', ') || '-'])));
	return 0;
}
