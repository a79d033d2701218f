import { router } from '../trpc/init';
import { authRouter } from './auth';
import { generationRouter } from './generation';

export const appRouter = router({
	auth: authRouter,
	generation: generationRouter
});

export type AppRouter = typeof appRouter;
