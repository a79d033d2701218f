import { tracked, TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { SendMessageInput } from '../../src/lib/domain/chat-input';
import { ModelId } from '../../src/lib/domain/model-id';
import type { Db } from '../db/client';
import { generations } from '../db/schema';
import { startReply } from '../generations/start-reply';
import { MutationRejected } from '../sync/mutation-rejected';
import { protectedProcedure, router } from '../trpc/init';

const StartInput = SendMessageInput.extend({
	conversationId: z.string().min(1).max(64).optional(),
	/** Tried in order when the model fails before answering. */
	fallbackModels: z.array(ModelId).max(5).optional()
});
const GenerationRef = z.object({ generationId: z.string().min(1).max(64) });

function ownsGeneration(db: Db, generationId: string, userId: string): boolean {
	return !!db.select({ id: generations.id }).from(generations).where(and(eq(generations.id, generationId), eq(generations.userId, userId))).get();
}

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such generation (it may have ended long ago).' });

export const generationRouter = router({
	/** Stores the user's message and starts the reply as a server-side job; attach to watch it. For scripts: the app syncs. */
	start: protectedProcedure.input(StartInput).mutation(({ ctx, input }) => {
		const { db, jobs, upstream, bus } = ctx.services;
		const model = input.model ?? upstream.config.defaultModel;
		try {
			const { job, ...started } = startReply(db, { userId: ctx.user.id, content: input.content, model, conversationId: input.conversationId, fallbackModels: input.fallbackModels });
			jobs.launch(job);
			bus.emit({ type: 'sync', userId: ctx.user.id });
			return { ...started, model };
		} catch (error) {
			if (error instanceof MutationRejected) throw new TRPCError({ code: 'NOT_FOUND', message: error.message });
			throw error;
		}
	}),

	/** Replays the generation's events from `lastEventId` on, then follows it live. */
	attach: protectedProcedure
		.input(GenerationRef.extend({ lastEventId: z.string().regex(/^\d+$/).nullish() }))
		.subscription(async function* ({ ctx, input, signal }) {
			const from = input.lastEventId == null ? 0 : Number(input.lastEventId) + 1;
			const events = ctx.services.jobs.attach(input.generationId, ctx.user.id, from, signal ?? new AbortController().signal);
			if (!events) throw notFound();
			for await (const [seq, event] of events) {
				yield tracked(String(seq), event);
			}
		}),

	cancel: protectedProcedure.input(GenerationRef).mutation(({ ctx, input }) => {
		if (!ctx.services.jobs.find(input.generationId, ctx.user.id) && !ownsGeneration(ctx.services.db, input.generationId, ctx.user.id)) {
			throw notFound();
		}
		return { cancelled: ctx.services.jobs.cancel(input.generationId, ctx.user.id) };
	})
});
