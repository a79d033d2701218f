import { isChatGptConversation, readChatGptConversation, type ChatGptConversation } from './chatgpt';
import { PHOSPHOR_EXPORT_FORMAT, PHOSPHOR_EXPORT_VERSION, PhosphorExport } from './phosphor-format';

/** A file read for import, by format. */
export type ParsedImport =
	| { source: 'phosphor'; data: PhosphorExport }
	| {
			source: 'chatgpt';
			conversations: ChatGptConversation[];
			/** Entries of the array that are not conversations (left out). */
			invalidEntries: number;
	  };

/** A file that cannot be imported; `message` is for the person. */
export class ImportFileError extends Error {
	override readonly name = 'ImportFileError';
}

export const NOT_AN_EXPORT = 'This file is not a Phosphor or ChatGPT export.';

/**
 * Reads an import file's text and tells its format: a Phosphor export (checked against its
 * schema) or ChatGPT's conversations.json (read leniently: its format is undocumented). Anything
 * else throws ImportFileError with a message to show.
 */
export function parseImportFile(text: string): ParsedImport {
	const body = text.replace(/^\uFEFF/, '').trimStart();
	if (body.startsWith('PK\u0003\u0004')) {
		throw new ImportFileError('This is a zip archive. Unzip the ChatGPT export and choose conversations.json from it.');
	}
	if (body.startsWith('<')) {
		throw new ImportFileError(`${NOT_AN_EXPORT} From a ChatGPT export, choose conversations.json (not chat.html).`);
	}
	let json: unknown;
	try {
		json = JSON.parse(body);
	} catch {
		throw new ImportFileError(`${NOT_AN_EXPORT} It is not valid JSON.`);
	}
	if (Array.isArray(json)) return parseChatGpt(json);
	if (typeof json === 'object' && json !== null && 'format' in json && json.format === PHOSPHOR_EXPORT_FORMAT) return parsePhosphor(json);
	throw new ImportFileError(NOT_AN_EXPORT);
}

function parsePhosphor(json: object): ParsedImport {
	const version = 'version' in json ? json.version : undefined;
	if (version !== PHOSPHOR_EXPORT_VERSION) {
		const newer = typeof version === 'number' && version > PHOSPHOR_EXPORT_VERSION;
		throw new ImportFileError(
			newer
				? `This Phosphor export is version ${version}, newer than this app reads (${PHOSPHOR_EXPORT_VERSION}). Update the app and try again.`
				: 'This Phosphor export has no version this app reads.'
		);
	}
	const parsed = PhosphorExport.safeParse(json);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = issue && issue.path.length > 0 ? ` (at ${issue.path.join('.')}: ${issue.message})` : '';
		throw new ImportFileError(`This Phosphor export is damaged and was not imported${where}.`);
	}
	return { source: 'phosphor', data: parsed.data };
}

function parseChatGpt(entries: unknown[]): ParsedImport {
	const conversations: ChatGptConversation[] = [];
	entries.forEach((entry, index) => {
		const conversation = isChatGptConversation(entry) ? readChatGptConversation(entry, index) : null;
		if (conversation !== null) conversations.push(conversation);
	});
	// An empty array is a ChatGPT export of an account without conversations.
	if (entries.length > 0 && conversations.length === 0) throw new ImportFileError(NOT_AN_EXPORT);
	return { source: 'chatgpt', conversations, invalidEntries: entries.length - conversations.length };
}
