import { z } from 'zod';

/**
 * The request fields /v1 forwards upstream as they are, beyond model, messages, the stream
 * options, max_tokens and temperature: OpenAI's tool calling, structured output and sampling
 * fields, and OpenRouter's `reasoning`, `provider` and `transforms`.
 */

const FunctionName = z.string().regex(/^[\w-]{1,64}$/, { error: 'must be 1–64 letters, digits, "_" or "-"' });
const JsonSchema = z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' });

export const Tool = z.strictObject({
	type: z.literal('function', { error: 'only "function" tools are supported' }),
	function: z.strictObject({
		name: FunctionName,
		description: z.string().optional(),
		parameters: JsonSchema.optional(),
		strict: z.boolean().nullish()
	})
});

export const ToolChoice = z.union(
	[z.enum(['none', 'auto', 'required']), z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: FunctionName }) })],
	{ error: 'must be "none", "auto", "required" or {"type":"function","function":{"name":…}}' }
);

export const ResponseFormat = z.discriminatedUnion(
	'type',
	[
		z.strictObject({ type: z.literal('text') }),
		z.strictObject({ type: z.literal('json_object') }),
		z.strictObject({
			type: z.literal('json_schema'),
			json_schema: z.strictObject({ name: FunctionName, description: z.string().optional(), schema: JsonSchema.optional(), strict: z.boolean().nullish() })
		})
	],
	{ error: 'type must be "text", "json_object" or "json_schema"' }
);

const Reasoning = z.strictObject({
	effort: z.enum(['xhigh', 'high', 'medium', 'low', 'minimal', 'none']).optional(),
	max_tokens: z.number().int().positive().optional(),
	exclude: z.boolean().optional(),
	enabled: z.boolean().optional()
});

const slugs = z.array(z.string().min(1)).max(50);
const price = z.number().nonnegative();
const performance = z.union([z.number().nonnegative(), z.record(z.string(), z.number().nonnegative())]);

/** OpenRouter's provider routing preferences. */
const ProviderPreferences = z.strictObject({
	order: slugs.optional(),
	only: slugs.optional(),
	ignore: slugs.optional(),
	allow_fallbacks: z.boolean().optional(),
	require_parameters: z.boolean().optional(),
	data_collection: z.enum(['allow', 'deny']).optional(),
	zdr: z.boolean().optional(),
	enforce_distillable_text: z.boolean().optional(),
	quantizations: slugs.optional(),
	sort: z.enum(['price', 'throughput', 'latency']).optional(),
	max_price: z.strictObject({ prompt: price.optional(), completion: price.optional(), image: price.optional(), request: price.optional() }).optional(),
	preferred_min_throughput: performance.optional(),
	preferred_max_latency: performance.optional()
});

const penalty = z.number().min(-2).max(2);

export const ForwardedParams = {
	tools: z.array(Tool).max(128).optional(),
	tool_choice: ToolChoice.optional(),
	parallel_tool_calls: z.boolean().optional(),
	response_format: ResponseFormat.optional(),
	stop: z.union([z.string(), z.array(z.string()).max(4)], { error: 'must be a string or an array of at most 4 strings' }).nullish(),
	top_p: z.number().min(0).max(1).nullish(),
	frequency_penalty: penalty.nullish(),
	presence_penalty: penalty.nullish(),
	seed: z.number().int().nullish(),
	user: z.string().max(256).optional(),
	logprobs: z.boolean().nullish(),
	top_logprobs: z.number().int().min(0).max(20).nullish(),
	reasoning: Reasoning.optional(),
	provider: ProviderPreferences.optional(),
	transforms: z.array(z.string().min(1)).max(10).optional()
};

export const FORWARDED_PARAM_NAMES = Object.keys(ForwardedParams) as (keyof typeof ForwardedParams)[];
