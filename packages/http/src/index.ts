/**
 * @since 0.2.0
 */

/**
 * Cohere's Rerank API (v2, v1 and compatible servers) as a `Reranker` layer.
 *
 * @since 0.2.0
 */
export * as Cohere from "./Cohere.js"

/**
 * Cohere's wire format as `Schema`s, shared by the client and the server.
 *
 * @since 0.2.0
 */
export * as CohereSchema from "./CohereSchema.js"

/**
 * An HTTP rerank API as a `Reranker.Provider`, from its wire protocol: the builder every provider module uses.
 *
 * @since 0.2.0
 */
export * as HttpProvider from "./HttpProvider.js"

/**
 * Jina AI's Rerank API.
 *
 * @since 0.2.0
 */
export * as Jina from "./Jina.js"

/**
 * Voyage AI's Rerank API.
 *
 * @since 0.2.0
 */
export * as Voyage from "./Voyage.js"

/**
 * Mixedbread's Reranking API.
 *
 * @since 0.2.0
 */
export * as Mixedbread from "./Mixedbread.js"

/**
 * Pinecone Inference's Rerank API.
 *
 * @since 0.2.0
 */
export * as Pinecone from "./Pinecone.js"

/**
 * Together AI's Rerank API.
 *
 * @since 0.2.0
 */
export * as Together from "./Together.js"

/**
 * Hugging Face text-embeddings-inference (self-hosted).
 *
 * @since 0.2.0
 */
export * as Tei from "./Tei.js"

/**
 * vLLM's rerank endpoint (self-hosted).
 *
 * @since 0.2.0
 */
export * as Vllm from "./Vllm.js"

/**
 * Amazon Bedrock's Rerank, signed with AWS SigV4.
 *
 * @since 0.2.0
 */
export * as Bedrock from "./Bedrock.js"

/**
 * NVIDIA NIM's reranking API: a self-hosted NIM, or NVIDIA's hosted API catalog.
 *
 * @since 0.2.0
 */
export * as Nim from "./Nim.js"

/**
 * Google's Vertex AI Ranking API, with Google OAuth2 access tokens.
 *
 * @since 0.2.0
 */
export * as Vertex from "./Vertex.js"

/**
 * ZeroEntropy's rerank API.
 *
 * @since 0.2.0
 */
export * as ZeroEntropy from "./ZeroEntropy.js"

/**
 * Contextual AI's instruction-following reranker.
 *
 * @since 0.2.0
 */
export * as Contextual from "./Contextual.js"

/**
 * OpenRouter's rerank router.
 *
 * @since 0.2.0
 */
export * as OpenRouter from "./OpenRouter.js"

/**
 * Every provider of this package by name, from which the server's routes and the CLI's choices are derived.
 *
 * @since 0.2.0
 */
export * as Registry from "./Registry.js"
