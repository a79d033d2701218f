/**
 * A small ChatGPT conversations.json (the data export's shape, trimmed): one conversation whose
 * question was answered twice (a regenerated reply: two branches), the newer one shown.
 */
export const CHATGPT_TITLE = 'Sorting lists in Python';
export const CHATGPT_QUESTION = 'How do I sort a list in Python?';
export const CHATGPT_FIRST_ANSWER = 'Use `sorted(items)` for a new list.';
export const CHATGPT_SECOND_ANSWER = 'Call `items.sort()` to sort the list in place.';

const T = 1_700_000_000; // seconds, as ChatGPT writes them

function node(id: string, parent: string | null, children: string[], message: { role: string; text: string; at: number; model?: string } | null) {
	return {
		id,
		parent,
		children,
		message:
			message === null
				? null
				: {
						id,
						author: { role: message.role, name: null, metadata: {} },
						create_time: message.at,
						update_time: null,
						content: { content_type: 'text', parts: [message.text] },
						status: 'finished_successfully',
						end_turn: message.role === 'assistant' ? true : null,
						weight: 1,
						metadata: message.model ? { model_slug: message.model } : {},
						recipient: 'all'
					}
	};
}

export function chatGptExport(): string {
	const conversation = {
		id: 'e2e-chatgpt-conversation-1',
		conversation_id: 'e2e-chatgpt-conversation-1',
		title: CHATGPT_TITLE,
		create_time: T,
		update_time: T + 120,
		current_node: 'answer-2',
		default_model_slug: 'gpt-4o',
		is_archived: false,
		mapping: {
			root: node('root', null, ['question'], null),
			question: node('question', 'root', ['answer-1', 'answer-2'], { role: 'user', text: CHATGPT_QUESTION, at: T + 10 }),
			'answer-1': node('answer-1', 'question', [], { role: 'assistant', text: CHATGPT_FIRST_ANSWER, at: T + 20, model: 'gpt-4o' }),
			'answer-2': node('answer-2', 'question', [], { role: 'assistant', text: CHATGPT_SECOND_ANSWER, at: T + 90, model: 'gpt-4o' })
		}
	};
	return JSON.stringify([conversation], null, 2);
}
