import { TRPCError } from '@trpc/server';
import { LoginInput, SetupInput } from '../../src/lib/domain/credentials';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/sessions';
import { DUMMY_HASH_PROMISE, verifyPassword } from '../auth/password';
import { countUsers, createUser, findUserByUsername, GuardRefusedError, toPublicUser, type PublicUser } from '../auth/users';
import { clearCookie, setCookie } from '../http/cookies';
import type { Context } from '../trpc/context';
import { protectedProcedure, publicProcedure, router } from '../trpc/init';

const INVALID_LOGIN = 'Invalid username or password.';

function startSession(ctx: Context, user: PublicUser): void {
	const { token } = ctx.services.sessions.create(user.id);
	setCookie(ctx.res, SESSION_COOKIE, token, {
		maxAgeSeconds: SESSION_TTL_MS / 1000,
		secure: ctx.services.secureCookies
	});
}

export const authRouter = router({
	/** What the app needs before it draws anything: first-run screen, sign-in, or the app. */
	status: publicProcedure.query(({ ctx }) => ({
		needsSetup: countUsers(ctx.services.db) === 0,
		user: ctx.user
	})),

	me: protectedProcedure.query(({ ctx }) => ctx.user),

	setup: publicProcedure.input(SetupInput).mutation(async ({ ctx, input }) => {
		const { db, setupCode, log } = ctx.services;
		if (countUsers(db) > 0) {
			throw new TRPCError({ code: 'CONFLICT', message: 'Setup is already done: sign in instead.' });
		}
		if (!setupCode.consume(input.setupCode)) {
			log.warn('auth.setup: wrong setup code');
			throw new TRPCError({
				code: 'FORBIDDEN',
				message: 'That setup code is not right. Copy the current code from the server log.'
			});
		}
		let user: PublicUser;
		try {
			// The guard re-checks inside the insert's transaction: two racing setups make one admin.
			user = await createUser(db, { ...input, isAdmin: true }, () => countUsers(db) === 0);
		} catch (error) {
			if (error instanceof GuardRefusedError) {
				throw new TRPCError({ code: 'CONFLICT', message: 'Setup is already done: sign in instead.' });
			}
			throw error;
		}
		log.info('first admin created', { username: user.username });
		startSession(ctx, user);
		return user;
	}),

	login: publicProcedure.input(LoginInput).mutation(async ({ ctx, input }) => {
		const { loginThrottle } = ctx.services;
		const keys = [`user:${input.username.toLowerCase()}`, `ip:${ctx.req.socket.remoteAddress ?? ''}`];
		const wait = loginThrottle.retryAfter(keys);
		if (wait > 0) {
			throw new TRPCError({
				code: 'TOO_MANY_REQUESTS',
				message: `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60_000)} min.`
			});
		}
		const row = findUserByUsername(ctx.services.db, input.username);
		// Unknown users cost one scrypt too, so timing does not reveal which usernames exist.
		const ok = await verifyPassword(input.password, row?.passwordHash ?? (await DUMMY_HASH_PROMISE));
		if (!row || !ok) {
			loginThrottle.fail(keys);
			ctx.services.log.info('auth.login failed');
			throw new TRPCError({ code: 'UNAUTHORIZED', message: INVALID_LOGIN });
		}
		loginThrottle.succeed(keys.slice(0, 1));
		const user = toPublicUser(row);
		startSession(ctx, user);
		return user;
	}),

	logout: publicProcedure.mutation(({ ctx }) => {
		if (ctx.sessionToken) ctx.services.sessions.revoke(ctx.sessionToken);
		clearCookie(ctx.res, SESSION_COOKIE, ctx.services.secureCookies);
		return { ok: true as const };
	})
});
