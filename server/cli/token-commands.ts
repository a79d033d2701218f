import { createApiToken, listApiTokens, revokeApiToken, type ApiTokenInfo } from '../auth/api-tokens';
import { findUserByUsername } from '../auth/users';
import type { Db } from '../db/client';
import { UsageError } from './usage-error';

/** A mistake in the data, not the command line: a message on stderr and exit 1, no usage text. */
function fail(message: string): number {
	process.stderr.write(`admin: ${message}\n`);
	return 1;
}

function oneArgument(args: string[], command: string, what: string): string {
	if (args.length !== 1 || !args[0]) throw new UsageError(`${command} takes exactly one ${what}.`);
	return args[0];
}

/** `token create <user>`: the token alone on stdout, so `TOKEN=$(npm run -s admin -- token create ada)` works. */
export function tokenCreate(db: Db, args: string[]): number {
	const username = oneArgument(args, 'token create', 'username');
	const user = findUserByUsername(db, username);
	if (!user) return fail(`No user named "${username}".`);
	const { token } = createApiToken(db, user.id);
	process.stdout.write(`${token}\n`);
	return 0;
}

/** `token list <user> [--json]`: ids and dates, never secrets (they are not stored). */
export function tokenList(db: Db, args: string[], opts: { json: boolean }): number {
	const username = oneArgument(args, 'token list', 'username');
	const user = findUserByUsername(db, username);
	if (!user) return fail(`No user named "${username}".`);
	const tokens = listApiTokens(db, user.id);
	process.stdout.write(opts.json ? `${JSON.stringify(tokens.map(toJson), null, 2)}\n` : formatTable(tokens));
	return 0;
}

/** `token revoke <token-or-id>`: revoking twice is not an error, an unknown token is. */
export function tokenRevoke(db: Db, args: string[]): number {
	const tokenOrId = oneArgument(args, 'token revoke', 'token or token id');
	const result = revokeApiToken(db, tokenOrId);
	if (result.status === 'not-found') return fail('No such API token (give the whole token or its 16-digit id).');
	process.stderr.write(result.status === 'revoked' ? `Revoked token ${result.id}.\n` : `Token ${result.id} was already revoked.\n`);
	return 0;
}

function toJson(token: ApiTokenInfo) {
	const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
	return { id: token.id, createdAt: iso(token.createdAt), lastUsedAt: iso(token.lastUsedAt), revokedAt: iso(token.revokedAt) };
}

function formatTable(tokens: ApiTokenInfo[]): string {
	if (tokens.length === 0) return 'No API tokens.\n';
	// UTC to the minute: the same on every machine, and precise enough to tell tokens apart.
	const date = (t: number | null) => (t === null ? '-' : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
	const header = ['ID', 'CREATED', 'LAST USED', 'REVOKED'];
	const rows = [header, ...tokens.map((t) => [t.id, date(t.createdAt), date(t.lastUsedAt), date(t.revokedAt)])];
	const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
	return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}
