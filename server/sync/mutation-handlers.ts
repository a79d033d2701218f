import type { MutationArgs, MutationName } from '../../src/lib/domain/sync';
import { createConversation, deleteConversation, importConversation, setActiveLeaf, updateConversation } from '../conversations/conversation-service';
import { createUserMessage, deleteMessage, importMessages } from '../conversations/message-service';
import type { DbOrTx } from '../db/client';
import type { GenerationJobs } from '../generations/generation-jobs';
import { checkCancel, requestGeneration } from '../generations/generation-service';

export interface MutationContext {
	tx: DbOrTx;
	userId: string;
	jobs: GenerationJobs;
	/** Runs once the mutation's transaction has committed (starting or stopping a job). */
	after(effect: () => void): void;
}

type Handlers = { [N in MutationName]: (ctx: MutationContext, args: MutationArgs<N>) => void };

/** Each mutation, by name, applied through the services that generation.start and /v1 use too. */
export const MUTATION_HANDLERS: Handlers = {
	'conversation.create': ({ tx, userId }, args) => createConversation(tx, userId, args),
	'conversation.rename': ({ tx, userId }, { id, title }) => updateConversation(tx, userId, id, { title }),
	'conversation.pin': ({ tx, userId }, { id, pinned }) => updateConversation(tx, userId, id, { pinned }),
	'conversation.archive': ({ tx, userId }, { id, archived }) => updateConversation(tx, userId, id, { archived }),
	'conversation.delete': ({ tx, userId, jobs, after }, { id }) => {
		deleteConversation(tx, userId, id);
		after(() => jobs.cancelConversation(id, userId));
	},
	'conversation.setModel': ({ tx, userId }, { id, model }) => updateConversation(tx, userId, id, { model }),
	'conversation.setSystemPrompt': ({ tx, userId }, { id, systemPrompt }) => updateConversation(tx, userId, id, { systemPrompt }),
	'conversation.setFallbackModels': ({ tx, userId }, { id, models }) => updateConversation(tx, userId, id, { fallbackModels: models }),
	'conversation.setParameters': ({ tx, userId }, { id, temperature, maxTokens }) =>
		updateConversation(tx, userId, id, { ...(temperature !== undefined ? { temperature } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) }),
	'conversation.setActiveLeaf': ({ tx, userId }, args) => setActiveLeaf(tx, userId, args),
	'message.create': ({ tx, userId }, args) => createUserMessage(tx, userId, args),
	'message.delete': ({ tx, userId, jobs, after }, { id }) => {
		const stopped = deleteMessage(tx, userId, id);
		after(() => stopped.forEach((generationId) => jobs.cancel(generationId, userId)));
	},
	'generation.request': ({ tx, userId, jobs, after }, args) => {
		const job = requestGeneration(tx, userId, args);
		if (job) after(() => jobs.launch(job));
	},
	'generation.cancel': ({ tx, userId, jobs, after }, args) => {
		checkCancel(tx, jobs, userId, args);
		after(() => jobs.cancel(args.id, userId));
	},
	'conversation.import': ({ tx, userId }, args) => importConversation(tx, userId, args),
	'message.import': ({ tx, userId }, args) => importMessages(tx, userId, args)
};
