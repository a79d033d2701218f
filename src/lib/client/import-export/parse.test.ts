import { describe, expect, it } from 'vitest';
import { chatGptExportText } from './fixtures/chatgpt-export';
import { ImportFileError, NOT_AN_EXPORT, parseImportFile } from './parse';

const phosphor = (overrides: object = {}) =>
	JSON.stringify({
		format: 'phosphor-export',
		version: 1,
		exportedAt: 1,
		conversations: [{ id: 'c1', model: 'openai/gpt-4o', createdAt: 1, updatedAt: 2, messages: [{ id: 'm1', parentId: null, role: 'user', content: 'Hi', createdAt: 1 }] }],
		...overrides
	});

function errorOf(text: string): string {
	try {
		parseImportFile(text);
	} catch (error) {
		expect(error).toBeInstanceOf(ImportFileError);
		return (error as Error).message;
	}
	throw new Error('parsed');
}

describe('parseImportFile', () => {
	it('tells a ChatGPT export, with or without a byte order mark', () => {
		const parsed = parseImportFile(`\uFEFF${chatGptExportText}`);
		expect(parsed.source).toBe('chatgpt');
		if (parsed.source !== 'chatgpt') return;
		expect(parsed.conversations.map((c) => [c.id, c.title, c.nodes.size, c.currentNode])).toEqual([
			['conv-a', 'Sorting in Python', 10, 'a-a2'],
			['conv-b', 'Plot my CSV', 8, 'b-a2'],
			['conv-c', '', 8, 'c-a2']
		]);
		expect(parsed.conversations[0]?.createTime).toBe(1_700_000_000_000);
		expect(parsed.conversations[2]?.updateTime).toBeNull();
		expect(parseImportFile('[]')).toEqual({ source: 'chatgpt', conversations: [], invalidEntries: 0 });
	});

	it('tells a Phosphor export and fills in what an older or hand-made file leaves out', () => {
		const parsed = parseImportFile(phosphor());
		expect(parsed.source).toBe('phosphor');
		if (parsed.source !== 'phosphor') return;
		expect(parsed.data.conversations[0]).toEqual({
			id: 'c1',
			title: '',
			model: 'openai/gpt-4o',
			systemPrompt: '',
			fallbackModels: [],
			temperature: null,
			maxTokens: null,
			pinned: false,
			archived: false,
			createdAt: 1,
			updatedAt: 2,
			activeLeafId: null,
			messages: [{ id: 'm1', parentId: null, role: 'user', content: 'Hi', status: 'complete', model: null, createdAt: 1 }]
		});
	});

	it('says clearly what is wrong with anything else', () => {
		expect(errorOf('{"hello": "world"}')).toBe(NOT_AN_EXPORT);
		expect(errorOf('[1, 2, 3]')).toBe(NOT_AN_EXPORT);
		expect(errorOf('"text"')).toBe(NOT_AN_EXPORT);
		expect(errorOf('not json at all')).toBe(`${NOT_AN_EXPORT} It is not valid JSON.`);
		expect(errorOf('')).toBe(`${NOT_AN_EXPORT} It is not valid JSON.`);
		expect(errorOf('PK\u0003\u0004binary')).toMatch(/zip archive.*conversations\.json/);
		expect(errorOf('<!DOCTYPE html><html>')).toMatch(/conversations\.json \(not chat\.html\)/);
		expect(errorOf(phosphor({ version: 2 }))).toBe('This Phosphor export is version 2, newer than this app reads (1). Update the app and try again.');
		expect(errorOf(phosphor({ version: undefined }))).toBe('This Phosphor export has no version this app reads.');
		expect(errorOf(phosphor({ conversations: [{ id: 'c1' }] }))).toMatch(/^This Phosphor export is damaged and was not imported \(at conversations\.0\.model: /);
	});
});
