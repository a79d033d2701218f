import { describe, expect, it } from 'vitest';
import type { MessageRole, MessageStatus } from '../../domain/sync';
import { closeOpenFence, conversationFilename, exportAllFilename, exportConversationMarkdown } from './markdown';

const message = (role: MessageRole, content: string, extra: { model?: string; status?: MessageStatus; createdAt?: number } = {}) => ({
	message: { role, content, model: extra.model ?? null, status: extra.status ?? 'complete', createdAt: extra.createdAt ?? Date.UTC(2024, 4, 1, 14, 3) }
});

const CODE_ANSWER = ['Here:', '', '```ts', 'const x = 1;', '', '## not a heading', '```', '', '~~~', 'tilde', '~~~'].join('\n');

describe('exportConversationMarkdown', () => {
	it('writes the branch with role headings and content verbatim', () => {
		const markdown = exportConversationMarkdown({
			conversation: { title: 'Types  in\nTS', systemPrompt: 'Be terse.' },
			branch: [message('user', 'How do I declare a const?'), message('assistant', `${CODE_ANSWER}\n\n`, { model: 'openai/gpt-4o' }), message('system', 'Note')]
		});
		expect(markdown).toBe(
			[
				'# Types in TS',
				'',
				'## System prompt',
				'',
				'Be terse.',
				'',
				'## You',
				'',
				'How do I declare a const?',
				'',
				'## Assistant (openai/gpt-4o)',
				'',
				CODE_ANSWER,
				'',
				'## System',
				'',
				'Note',
				''
			].join('\n')
		);
	});

	it('adds times, status notes, and closes a code block a reply left open', () => {
		const markdown = exportConversationMarkdown(
			{
				conversation: { title: '', systemPrompt: '' },
				branch: [message('user', 'Write code'), message('assistant', 'Sure:\n\n````python\nprint(1)\n```', { status: 'cancelled' }), message('assistant', '', { status: 'failed' })]
			},
			{ timestamps: true }
		);
		expect(markdown).toBe(
			[
				'# Untitled conversation',
				'',
				'## You',
				'',
				'*2024-05-01 14:03 UTC*',
				'',
				'Write code',
				'',
				'## Assistant',
				'',
				'*2024-05-01 14:03 UTC*',
				'',
				'Sure:\n\n````python\nprint(1)\n```\n````',
				'',
				'*(Stopped.)*',
				'',
				'## Assistant',
				'',
				'*2024-05-01 14:03 UTC*',
				'',
				'*(This reply failed.)*',
				''
			].join('\n')
		);
	});

	it('closes only fences that are open', () => {
		expect(closeOpenFence('a\n```js\nx\n```')).toBe('a\n```js\nx\n```');
		expect(closeOpenFence('```js\nx')).toBe('```js\nx\n```');
		expect(closeOpenFence('~~~~\n```\n~~~')).toBe('~~~~\n```\n~~~\n~~~~');
		// Inline code with three backticks is not a fence.
		expect(closeOpenFence('``` a ` b ```')).toBe('``` a ` b ```');
		// Indented four spaces: code, not a fence.
		expect(closeOpenFence('    ```')).toBe('    ```');
	});
});

describe('filenames', () => {
	const date = new Date(2024, 4, 1, 23, 59);
	it('make a safe slug of the title with the date', () => {
		expect(conversationFilename('Sorting in Python: sorted() vs. .sort()!', date)).toBe('sorting-in-python-sorted-vs-sort-2024-05-01.md');
		expect(conversationFilename('Café à Paris / ../../etc', date)).toBe('cafe-a-paris-etc-2024-05-01.md');
		expect(conversationFilename('日本語のタイトル', date)).toBe('日本語のタイトル-2024-05-01.md');
		expect(conversationFilename('   ', date)).toBe('conversation-2024-05-01.md');
		expect(conversationFilename('a'.repeat(100), date)).toBe(`${'a'.repeat(60)}-2024-05-01.md`);
		// Cut by code point: 60 of them, the last a dash, dropped.
		expect(conversationFilename(`${'𠀀'.repeat(59)}-b-c`, date)).toBe(`${'𠀀'.repeat(59)}-2024-05-01.md`);
		expect(exportAllFilename(date)).toBe('phosphor-export-2024-05-01.json');
	});
});
