// Fake LLM providers for the gateway's tests and benchmarks: real HTTP servers on loopback that
// speak OpenAI's and Anthropic's wire formats, answer deterministically and fail on demand.
export type { Fault } from './faults.js';
export type { FakeProvider, RecordedCall } from './fake-server.js';
export { startFakeOpenAI, OPENAI_MODELS, OPENAI_CREATED } from './openai.js';
export type { FakeOpenAIOptions } from './openai.js';
export { startFakeAnthropic, ANTHROPIC_MODELS } from './anthropic.js';
export type { FakeAnthropicOptions } from './anthropic.js';
export { expectedReply, toolResultReply, chunkWords, countWords, embeddingOf, PROMPT_OVERHEAD_TOKENS, TOOL_CALL_TOKENS } from './model.js';
export { startFakeBedrock, BEDROCK_MODELS, BEDROCK_TEST_CREDENTIALS, BEDROCK_TEST_BEARER } from './bedrock.js';
export type { FakeBedrockOptions } from './bedrock.js';
export type { AwsTestCredentials } from './bedrock-auth.js';
export { startFakeAzure, AZURE_DEPLOYMENTS } from './azure.js';
export type { FakeAzure, FakeAzureOptions } from './azure.js';
export { startFakeGemini, GEMINI_MODELS, GEMINI_API_KEY, THOUGHT_TOKENS, googleError } from './gemini.js';
export type { FakeGeminiOptions } from './gemini.js';
export { startFakeGoogleOAuth, generateServiceAccount, FakeGoogleOAuth, CLOUD_PLATFORM_SCOPE, GOOGLE_TOKEN_URL } from './google-oauth.js';
export type { ServiceAccount, IssuedToken } from './google-oauth.js';
