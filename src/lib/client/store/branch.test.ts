import { describe, expect, it } from 'vitest';
import { childrenByParent, latestLeaf, siblingsOf, visibleBranch } from './branch';

type Node = { id: string; parentId: string | null; createdAt: number };
const node = (id: string, parentId: string | null, createdAt: number): Node => ({ id, parentId, createdAt });

// q1 ─ a1                 q1' is an edit of q1; a2 a regeneration of a1
//    └ a2 ─ q2 ─ a3
// q1'─ a4
const tree = [
	node('a3', 'q2', 60),
	node('q1', null, 10),
	node('a1', 'q1', 20),
	node('a2', 'q1', 30),
	node('q2', 'a2', 50),
	node("q1'", null, 40),
	node('a4', "q1'", 45)
];

describe('visibleBranch', () => {
	it('walks from the root to the active leaf with each step’s siblings', () => {
		const branch = visibleBranch(tree, 'a3');
		expect(branch.map((s) => s.message.id)).toEqual(['q1', 'a2', 'q2', 'a3']);
		expect(branch.map((s) => [s.siblingIds, s.index])).toEqual([
			[['q1', "q1'"], 0],
			[['a1', 'a2'], 1],
			[['q2'], 0],
			[['a3'], 0]
		]);
	});

	it('falls back to the newest message’s branch when the active leaf is missing', () => {
		expect(visibleBranch(tree, 'deleted').map((s) => s.message.id)).toEqual(['q1', 'a2', 'q2', 'a3']);
		expect(visibleBranch(tree, null).map((s) => s.message.id)).toEqual(['q1', 'a2', 'q2', 'a3']);
	});

	it('ends at the nearest live ancestor of a deleted active leaf, as the server moves it', () => {
		const live = tree.filter((m) => m.id !== 'q2' && m.id !== 'a3');
		const parents = new Map(tree.map((m) => [m.id, m.parentId]));
		expect(visibleBranch(live, 'a3', (id) => parents.get(id)).map((s) => s.message.id)).toEqual(['q1', 'a2']);
	});

	it('is empty without messages', () => {
		expect(visibleBranch([], 'x')).toEqual([]);
	});

	it('starts at the oldest known ancestor when a parent has not synced yet', () => {
		const partial = [node('b', 'missing', 2), node('c', 'b', 3)];
		expect(visibleBranch(partial, 'c').map((s) => s.message.id)).toEqual(['b', 'c']);
	});
});

describe('siblingsOf', () => {
	it('lists the children of the same parent, oldest first', () => {
		expect(siblingsOf(tree, 'a2').map((m) => m.id)).toEqual(['a1', 'a2']);
		expect(siblingsOf(tree, "q1'").map((m) => m.id)).toEqual(['q1', "q1'"]);
		expect(siblingsOf(tree, 'nope')).toEqual([]);
	});
});

describe('latestLeaf', () => {
	it('follows the newest child down: where a switched-to branch ends', () => {
		expect(latestLeaf(tree, 'q1')).toBe('a3');
		expect(latestLeaf(tree, 'a1')).toBe('a1');
		expect(latestLeaf(tree, "q1'")).toBe('a4');
	});

	it('stops on a cycle', () => {
		expect(latestLeaf([node('x', 'y', 1), node('y', 'x', 2)], 'x')).toBe('y');
	});
});

describe('childrenByParent', () => {
	it('groups by parent with roots under null', () => {
		const children = childrenByParent(tree);
		expect(children.get(null)?.map((m) => m.id)).toEqual(['q1', "q1'"]);
		expect(children.get('q1')?.map((m) => m.id)).toEqual(['a1', 'a2']);
	});
});
