import { randomBytes } from 'node:crypto';
import { NewPassword, Username } from '../../src/lib/domain/credentials';
import { createUser } from '../auth/users';
import type { Db } from '../db/client';
import { UsageError } from './usage-error';

export async function readStdin(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

/** `user add <name> [--admin] [--password-stdin]`: the password goes to stdout alone, for scripts. */
export async function userAdd(db: Db, args: string[], opts: { admin: boolean; passwordStdin: boolean }): Promise<number> {
	if (args.length !== 1) throw new UsageError('user add takes exactly one name.');
	const username = Username.safeParse(args[0]);
	if (!username.success) throw new UsageError(username.error.issues[0]?.message ?? 'Invalid username.');
	let password: string;
	if (opts.passwordStdin) {
		// One trailing newline is what `echo` and here-strings add; it is not part of the password.
		const parsed = NewPassword.safeParse((await readStdin()).replace(/\r?\n$/, ''));
		if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'Invalid password.');
		password = parsed.data;
	} else {
		password = randomBytes(15).toString('base64url');
	}
	const user = await createUser(db, { username: username.data, password, isAdmin: opts.admin });
	process.stderr.write(`Created user ${user.username}${user.isAdmin ? ' (admin)' : ''}.\n`);
	if (!opts.passwordStdin) process.stdout.write(`${password}\n`);
	return 0;
}
