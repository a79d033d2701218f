import { describe, expect, it } from 'vitest';
import type { MessageId } from './ids';
import { pathToLeaf } from './message-tree';

type Node = { id: MessageId; parentId: MessageId | null };
const node = (id: string, parentId: string | null): Node => ({
	id: id as MessageId,
	parentId: parentId as MessageId | null
});
const ids = (path: Node[]) => path.map((m) => m.id);
const leaf = (id: string) => id as MessageId;

describe('pathToLeaf', () => {
	// a ─ b ─ c          (c is an edit-sibling of d)
	//       └ d ─ e
	const tree = [node('e', 'd'), node('a', null), node('c', 'b'), node('b', 'a'), node('d', 'b')];

	it('returns the branch root first, whatever the input order', () => {
		expect(ids(pathToLeaf(tree, leaf('e')))).toEqual(['a', 'b', 'd', 'e']);
		expect(ids(pathToLeaf(tree, leaf('c')))).toEqual(['a', 'b', 'c']);
		expect(ids(pathToLeaf(tree, leaf('a')))).toEqual(['a']);
	});

	it('accepts a prebuilt Map', () => {
		const byId = new Map(tree.map((m) => [m.id, m]));
		expect(ids(pathToLeaf(byId, leaf('e')))).toEqual(['a', 'b', 'd', 'e']);
	});

	it('returns [] for an unknown leaf or no messages', () => {
		expect(pathToLeaf(tree, leaf('zz'))).toEqual([]);
		expect(pathToLeaf([], leaf('a'))).toEqual([]);
	});

	it('stops at a missing parent (rows not synced yet)', () => {
		expect(ids(pathToLeaf([node('x', 'missing'), node('y', 'x')], leaf('y')))).toEqual(['x', 'y']);
	});

	it('stops at a cycle instead of looping', () => {
		const cycle = [node('p', 'q'), node('q', 'r'), node('r', 'p')];
		expect(ids(pathToLeaf(cycle, leaf('p')))).toEqual(['r', 'q', 'p']);
		expect(ids(pathToLeaf([node('s', 's')], leaf('s')))).toEqual(['s']);
	});

	it('walks a long chain without recursion', () => {
		const chain = Array.from({ length: 50_000 }, (_, i) => node(`m${i}`, i === 0 ? null : `m${i - 1}`));
		const path = pathToLeaf(chain, leaf('m49999'));
		expect(path).toHaveLength(50_000);
		expect(path[0]?.id).toBe('m0');
	});
});
