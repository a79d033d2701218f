import { TRPCError } from '@trpc/server';
import { LoginInput, SetupInput } from '../../src/lib/domain/credentials';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/sessions';
import { isRefusal, type Refusal } from '../auth/login-throttle';
import { PasswordHasherBusyError } from '../auth/hash-slots';
import { DUMMY_HASH_PROMISE, verifyPassword } from '../auth/password';
import { countUsers, createUser, findUserByUsername, GuardRefusedError, toPublicUser, type PublicUser } from '../auth/users';
import { clientAddress } from '../http/client-address';
import { clearCookie, setCookie } from '../http/cookies';
import type { Context } from '../trpc/context';
import { protectedProcedure, publicProcedure, router } from '../trpc/init';

const INVALID_LOGIN = 'Invalid username or password.';

function refused(ctx: Context, refusal: Refusal): TRPCError {
	const seconds = Math.ceil(refusal.retryAfterMs / 1000);
	ctx.res.setHeader('Retry-After', String(seconds));
	const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} min` : `${seconds} s`;
	const message =
		refusal.reason === 'locked'
			? `Too many failed sign-ins from this address. Try again in ${wait}.`
			: refusal.reason === 'slowed'
				? `Too many failed sign-ins for this username. Try again in ${wait}.`
				: 'Too many sign-ins at once from this address. Try again in a moment.';
	return new TRPCError({ code: 'TOO_MANY_REQUESTS', message });
}

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
		if (!setupCode.matches(input.setupCode)) {
			log.warn('auth.setup: wrong setup code');
			throw new TRPCError({
				code: 'FORBIDDEN',
				message: 'That setup code is not right. Copy the current code from the server log.'
			});
		}
		let user: PublicUser;
		try {
			// The code is spent inside the insert's transaction, once the password is hashed: two racing
			// setups make one admin, and a setup refused for load keeps its code.
			user = await createUser(db, { ...input, isAdmin: true }, () => countUsers(db) === 0 && setupCode.consume(input.setupCode));
		} catch (error) {
			if (error instanceof GuardRefusedError) {
				throw new TRPCError({ code: 'CONFLICT', message: 'Setup is already done: sign in instead.' });
			}
			if (error instanceof PasswordHasherBusyError) throw refused(ctx, { reason: 'busy', retryAfterMs: 2_000 });
			throw error;
		}
		log.info('first admin created', { username: user.username });
		startSession(ctx, user);
		return user;
	}),

	login: publicProcedure.input(LoginInput).mutation(async ({ ctx, input }) => {
		const { loginThrottle, env, db, log } = ctx.services;
		// Counted before the password is checked: concurrent guesses meet the limit like sequential ones.
		const attempt = loginThrottle.begin(clientAddress(ctx.req, env.TRUST_PROXY), input.username);
		if (isRefusal(attempt)) throw refused(ctx, attempt);
		let row;
		let ok: boolean;
		try {
			row = findUserByUsername(db, input.username);
			// Unknown users cost one scrypt too, so timing does not reveal which usernames exist.
			ok = await verifyPassword(input.password, row?.passwordHash ?? (await DUMMY_HASH_PROMISE), attempt.knownAddress);
		} catch (error) {
			attempt.abandon();
			if (error instanceof PasswordHasherBusyError) throw refused(ctx, { reason: 'busy', retryAfterMs: 2_000 });
			throw error;
		}
		if (!row || !ok) {
			attempt.fail();
			log.info('auth.login failed');
			throw new TRPCError({ code: 'UNAUTHORIZED', message: INVALID_LOGIN });
		}
		attempt.succeed();
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
