import { tracked, TRPCError } from '@trpc/server';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SendMessageInput } from '../../src/lib/domain/chat-input';
import { ModelId } from '../../src/lib/domain/model-id';
import type { Db } from '../db/client';
import { conversations, generations, messages } from '../db/schema';
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
	/** Stores the user's message and starts the reply as a server-side job; attach to watch it. */
	start: protectedProcedure.input(StartInput).mutation(({ ctx, input }) => {
		const { db, jobs, upstream } = ctx.services;
		const model = input.model ?? upstream.config.defaultModel;
		const now = Date.now();
		const conversationId = input.conversationId ?? randomUUID();
		const userMessageId = randomUUID();
		const history = db.transaction((tx) => {
			if (input.conversationId) {
				const owned = tx
					.select({ id: conversations.id })
					.from(conversations)
					.where(
						and(
							eq(conversations.id, conversationId),
							eq(conversations.userId, ctx.user.id),
							isNull(conversations.deletedAt)
						)
					)
					.get();
				if (!owned) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
			} else {
				tx.insert(conversations)
					.values({ id: conversationId, userId: ctx.user.id, title: input.content.slice(0, 80), model, updatedAt: now, createdAt: now })
					.run();
			}
			const previous = tx
				.select({ id: messages.id, role: messages.role, content: messages.content })
				.from(messages)
				.where(and(eq(messages.conversationId, conversationId), eq(messages.status, 'complete')))
				.orderBy(asc(messages.createdAt))
				.all();
			tx.insert(messages)
				.values({
					id: userMessageId,
					conversationId,
					parentId: previous.at(-1)?.id ?? null,
					role: 'user',
					content: input.content,
					status: 'complete',
					createdAt: now
				})
				.run();
			return [...previous.map(({ role, content }) => ({ role, content })), { role: 'user' as const, content: input.content }];
		});
		const models = [model, ...(input.fallbackModels ?? [])];
		const started = jobs.start({ userId: ctx.user.id, conversationId, parentId: userMessageId, models, history });
		return { conversationId, userMessageId, model, ...started };
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
