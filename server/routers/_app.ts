import { router } from '../trpc/init';
import { authRouter } from './auth';
import { budgetsRouter } from './budgets';
import { eventsRouter } from './events';
import { generationRouter } from './generation';
import { modelsRouter } from './models';
import { syncRouter } from './sync';
import { usageRouter } from './usage';

export const appRouter = router({
	auth: authRouter,
	generation: generationRouter,
	models: modelsRouter,
	events: eventsRouter,
	usage: usageRouter,
	budgets: budgetsRouter,
	sync: syncRouter
});

export type AppRouter = typeof appRouter;
