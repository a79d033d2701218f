import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';

/**
 * A message as the upstream takes it. The app's replies send plain `ChatTurn`s; /v1 sends the
 * full OpenAI shapes (developer and tool roles, tool calls, image parts), validated at its edge.
 */
export type UpstreamMessage = ChatCompletionMessageParam;

/**
 * Request fields beyond model, messages, max_tokens and temperature (tools, tool_choice,
 * response_format, stop, OpenRouter's provider and transforms, …): validated by /v1 and sent
 * upstream as they are. Their keys never override the fields the orchestrator sets itself.
 */
export type UpstreamParams = Readonly<Record<string, unknown>>;
