import type { IncomingMessage } from 'node:http';
import { resolveApiToken } from '../../auth/api-tokens';
import type { PublicUser } from '../../auth/users';
import type { Db } from '../../db/client';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The API token's user, or null. Only the Authorization header counts: cookies never do here. */
export function authenticate(req: IncomingMessage, db: Db): PublicUser | null {
	const header = req.headers.authorization;
	const token = header ? BEARER.exec(header)?.[1] : undefined;
	return token ? resolveApiToken(db, token) : null;
}
