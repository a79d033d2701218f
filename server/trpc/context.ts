import { TRPCError } from '@trpc/server';
import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone';
import { SESSION_COOKIE } from '../auth/sessions';
import type { PublicUser } from '../auth/users';
import { readCookie, setCookie } from '../http/cookies';
import type { Services } from '../services';

export interface Context {
	services: Services;
	req: CreateHTTPContextOptions['req'];
	res: CreateHTTPContextOptions['res'];
	user: PublicUser | null;
	sessionToken: string | null;
}

export function createContextFactory(services: Services) {
	return ({ req, res, info }: CreateHTTPContextOptions): Context => {
		// A batch of sign-in calls would be one request carrying many guesses: one auth call per request.
		if (info.calls.filter((call) => call.path.startsWith('auth.')).length > 1) {
			throw new TRPCError({ code: 'BAD_REQUEST', message: 'A batch may hold at most one auth call.' });
		}
		const token = readCookie(req, SESSION_COOKIE) ?? null;
		const session = token ? services.sessions.resolve(token) : null;
		if (token && session?.extended) {
			setCookie(res, SESSION_COOKIE, token, {
				maxAgeSeconds: (session.expiresAt - Date.now()) / 1000,
				secure: services.secureCookies
			});
		}
		return { services, req, res, user: session?.user ?? null, sessionToken: session ? token : null };
	};
}
