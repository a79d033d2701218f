import type { Prices } from './cost';

/** One entry of OpenRouter's GET /models, trimmed to the fields Phosphor reads plus a few for realism. */
export interface SimModel {
	id: string;
	canonical_slug: string;
	name: string;
	created: number;
	description: string;
	context_length: number;
	architecture: {
		modality: string;
		input_modalities: string[];
		output_modalities: string[];
		tokenizer: string;
		instruct_type: string | null;
	};
	pricing: Prices & { request: string; image: string; web_search: string; internal_reasoning: string };
	top_provider: { context_length: number; max_completion_tokens: number; is_moderated: boolean };
	per_request_limits: null;
	supported_parameters: string[];
}

const SUPPORTED = ['max_tokens', 'seed', 'stop', 'temperature', 'top_p', 'stream_options'];

function model(
	id: string,
	name: string,
	description: string,
	prices: { prompt: string; completion: string },
	contextLength: number,
	maxCompletion: number,
	tokenizer: string,
	created: number
): SimModel {
	return {
		id,
		canonical_slug: id,
		name,
		created,
		description,
		context_length: contextLength,
		architecture: {
			modality: 'text->text',
			input_modalities: ['text'],
			output_modalities: ['text'],
			tokenizer,
			instruct_type: null
		},
		pricing: { ...prices, request: '0', image: '0', web_search: '0', internal_reasoning: '0' },
		top_provider: { context_length: contextLength, max_completion_tokens: maxCompletion, is_moderated: false },
		per_request_limits: null,
		supported_parameters: [...SUPPORTED]
	};
}

/** Prices are chosen to exercise the ledger: real-world magnitudes, zero, and sub-nano-dollar. */
export const SIM_MODELS: readonly SimModel[] = [
	model(
		'sim/echo-mini',
		'Simulator: Echo Mini',
		'Cheap, small-context simulated model ($0.10/$0.40 per million tokens).',
		{ prompt: '0.0000001', completion: '0.0000004' },
		32_768,
		8_192,
		'Other',
		1_735_689_600
	),
	model(
		'sim/sonnet-like',
		'Simulator: Sonnet-like',
		'Priced like a frontier model ($3/$15 per million tokens), 200k context.',
		{ prompt: '0.000003', completion: '0.000015' },
		200_000,
		64_000,
		'Claude',
		1_740_000_000
	),
	model(
		'sim/gpt-like',
		'Simulator: GPT-like',
		'Priced like a mid-size model ($2.50/$10 per million tokens), 128k context.',
		{ prompt: '0.0000025', completion: '0.00001' },
		128_000,
		16_384,
		'GPT',
		1_738_000_000
	),
	model(
		'sim/free',
		'Simulator: Free',
		'Costs nothing; usage.cost is 0.',
		{ prompt: '0', completion: '0' },
		32_768,
		4_096,
		'Other',
		1_736_000_000
	),
	model(
		'sim/tiny-price',
		'Simulator: Tiny Price',
		'Prompt price finer than a nano-dollar per token ($0.0375/$0.15 per million tokens).',
		{ prompt: '0.0000000375', completion: '0.00000015' },
		131_072,
		8_192,
		'Other',
		1_737_000_000
	)
];

const BY_ID = new Map(SIM_MODELS.map((entry) => [entry.id, entry]));

export function findModel(id: string): SimModel | undefined {
	return BY_ID.get(id);
}
