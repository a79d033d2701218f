import { UsageError } from './usage-error';

export interface ScopeArgument {
	scope: 'user' | 'team';
	name: string;
}

const TEAM_PREFIX = 'team:';

/** `ada` names a user, `team:research` a team: usernames cannot contain a colon, so no clash. */
export function parseScopeArgument(args: string[], command: string): ScopeArgument {
	if (args.length !== 1 || !args[0]) throw new UsageError(`${command} takes exactly one username or team:<name>.`);
	const arg = args[0];
	if (!arg.startsWith(TEAM_PREFIX)) return { scope: 'user', name: arg };
	const name = arg.slice(TEAM_PREFIX.length);
	if (!name.trim()) throw new UsageError(`${command}: give the team's name after "team:", e.g. team:research.`);
	return { scope: 'team', name };
}

export function describeScope(target: ScopeArgument): string {
	return `${target.scope} ${target.name}`;
}
