import { TRPCError } from '@trpc/server';
import { formatPricePerMillion } from '../../src/lib/domain/money';
import { adminProcedure, protectedProcedure, router } from '../trpc/init';

export const modelsRouter = router({
	/** The catalog with exact prices: the strings the provider gave, and per-million display forms. */
	list: protectedProcedure.query(async ({ ctx }) => {
		await ctx.services.metering.catalog.loaded();
		return ctx.services.metering.catalog.list().map((m) => ({
			id: m.id,
			name: m.name,
			contextLength: m.contextLength,
			maxCompletionTokens: m.maxCompletionTokens,
			modality: m.modality,
			pricing: m.prices,
			variablePrice: m.variablePrice,
			display: m.variablePrice
				? { prompt: 'variable', completion: 'variable' }
				: { prompt: formatPricePerMillion(m.promptPrice), completion: formatPricePerMillion(m.completionPrice) }
		}));
	}),

	/** What a new conversation uses when the person picks nothing: DEFAULT_MODEL and FALLBACK_MODELS. */
	defaults: protectedProcedure.query(({ ctx }) => ({
		model: ctx.services.upstream.config.defaultModel,
		fallbackModels: ctx.services.env.FALLBACK_MODELS
	})),

	/** Fetches the upstream's /models now instead of waiting for the periodic refresh. */
	refresh: adminProcedure.mutation(async ({ ctx }) => {
		try {
			return { models: await ctx.services.metering.catalog.refresh() };
		} catch (error) {
			throw new TRPCError({
				code: 'BAD_GATEWAY',
				message: `The model list could not be fetched from the provider; the stored catalog still serves. (${error instanceof Error ? error.message : String(error)})`
			});
		}
	})
});
