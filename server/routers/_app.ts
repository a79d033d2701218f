import { router } from '../trpc/init';
import { authRouter } from './auth';
import { eventsRouter } from './events';
import { generationRouter } from './generation';
import { modelsRouter } from './models';

export const appRouter = router({
	auth: authRouter,
	generation: generationRouter,
	models: modelsRouter,
	events: eventsRouter
});

export type AppRouter = typeof appRouter;
