import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context';
import { describeZodError } from './describe-zod-error';


const t = initTRPC.context<Context>().create({
	errorFormatter({ shape, error }) {
		const zod = error.cause instanceof ZodError ? error.cause : null;
		return {
			...shape,
			message: zod ? `Invalid input — ${describeZodError(zod)}` : shape.message,
			data: {
				...shape.data,
				// Stack traces stay in the server log.
				stack: undefined,
				fieldErrors: zod ? Object.fromEntries(zod.issues.map((i) => [i.path.join('.') || 'input', i.message])) : null
			}
		};
	}
});

export const router = t.router;
export const publicProcedure = t.procedure;

export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
	if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Not signed in, or the session has expired.' });
	return next({ ctx: { ...ctx, user: ctx.user } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
	if (!ctx.user.isAdmin) throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an admin can do this.' });
	return next();
});
