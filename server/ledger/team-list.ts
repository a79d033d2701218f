import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { teamMembers, teams, users } from '../db/schema';

export interface TeamListing {
	name: string;
	members: string[];
}

/** Teams by name, each with its members' usernames (a user is in at most one team). */
export function listTeams(db: Db): TeamListing[] {
	const rows = db
		.select({ team: teams.name, member: users.username })
		.from(teams)
		.leftJoin(teamMembers, eq(teamMembers.teamId, teams.id))
		.leftJoin(users, eq(users.id, teamMembers.userId))
		.orderBy(asc(teams.name), asc(users.usernameKey))
		.all();
	const byName = new Map<string, string[]>();
	for (const row of rows) {
		const members = byName.get(row.team) ?? [];
		if (row.member !== null) members.push(row.member);
		byName.set(row.team, members);
	}
	return [...byName].map(([name, members]) => ({ name, members }));
}
