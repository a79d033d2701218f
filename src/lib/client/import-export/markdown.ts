import type { MessageRole, MessageStatus } from '../../domain/sync';
import type { ConversationDetail } from '../store/queries';

export interface MarkdownOptions {
	/** A line with each message's time under its heading. Default: false. */
	timestamps?: boolean;
	/** How a time is written; default "2024-05-01 14:03 UTC". */
	formatTime?: (epochMs: number) => string;
	/** The conversation's system prompt as a first section, when it has one. Default: true. */
	systemPrompt?: boolean;
}

/** What the Markdown needs of a message (a MessageView has it). */
interface MarkdownMessage {
	readonly role: MessageRole;
	readonly content: string;
	readonly model: string | null;
	readonly status: MessageStatus;
	readonly createdAt: number;
}

/**
 * The branch the conversation shows, as Markdown: `# Title`, then per message a heading
 * (`## You`, `## Assistant (model)`, `## System`) and its content verbatim (it is Markdown
 * already). A code block a message leaves open (a reply cut off mid-code) is closed after it, so
 * it cannot swallow the headings that follow.
 */
export function exportConversationMarkdown(
	detail: { conversation: Pick<ConversationDetail['conversation'], 'title' | 'systemPrompt'>; branch: readonly { message: MarkdownMessage }[] },
	options: MarkdownOptions = {}
): string {
	const { timestamps = false, formatTime = formatUtc, systemPrompt = true } = options;
	const title = detail.conversation.title.replace(/\s+/g, ' ').trim() || 'Untitled conversation';
	const sections = [`# ${title}`];
	if (systemPrompt && detail.conversation.systemPrompt.trim() !== '') {
		sections.push(`## System prompt\n\n${closeOpenFence(detail.conversation.systemPrompt)}`);
	}
	for (const { message } of detail.branch) {
		const lines = [`## ${roleHeading(message)}`];
		if (timestamps) lines.push(`*${formatTime(message.createdAt)}*`);
		const note = STATUS_NOTE[message.status];
		const content = message.content.replace(/\s+$/, '');
		if (content !== '') lines.push(closeOpenFence(content));
		if (note !== null) lines.push(`*${note}*`);
		sections.push(lines.join('\n\n'));
	}
	return `${sections.join('\n\n')}\n`;
}

const STATUS_NOTE: Record<MessageStatus, string | null> = {
	complete: null,
	streaming: '(Still being written when exported.)',
	failed: '(This reply failed.)',
	cancelled: '(Stopped.)'
};

function roleHeading(message: MarkdownMessage): string {
	switch (message.role) {
		case 'user':
			return 'You';
		case 'assistant':
			return message.model ? `Assistant (${message.model})` : 'Assistant';
		case 'system':
			return 'System';
	}
}

function formatUtc(epochMs: number): string {
	return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * `markdown` with a closing fence added when it ends inside a fenced code block (CommonMark:
 * a fence of 3+ backticks or tildes, closed by the same character at least as long).
 */
export function closeOpenFence(markdown: string): string {
	let open: { char: string; length: number } | null = null;
	for (const line of markdown.split('\n')) {
		const match = FENCE.exec(line);
		if (match === null) continue;
		const fence = match[1] as string;
		const rest = match[2] as string;
		if (open === null) {
			// A backtick fence's info string cannot contain a backtick (that line is inline code).
			if (fence[0] === '`' && rest.includes('`')) continue;
			open = { char: fence[0] as string, length: fence.length };
		} else if (fence[0] === open.char && fence.length >= open.length && rest.trim() === '') {
			open = null;
		}
	}
	return open === null ? markdown : `${markdown}\n${open.char.repeat(open.length)}`;
}

/** "sorting-in-python-2024-05-01.md": a safe slug of the title (letters and digits of any script) and the local date. */
export function conversationFilename(title: string, date: Date = new Date()): string {
	return `${slug(title) || 'conversation'}-${localDate(date)}.md`;
}

/** "phosphor-export-2024-05-01.json". */
export function exportAllFilename(date: Date = new Date()): string {
	return `phosphor-export-${localDate(date)}.json`;
}

const SLUG_MAX = 60;

function slug(text: string): string {
	const words = text
		.normalize('NFKD')
		.replace(/\p{M}+/gu, '')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}]+/gu, '-')
		.replace(/^-+|-+$/g, '');
	// By code point, so a letter outside the BMP is never cut in half.
	return Array.from(words).slice(0, SLUG_MAX).join('').replace(/-+$/, '');
}

function localDate(date: Date): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
