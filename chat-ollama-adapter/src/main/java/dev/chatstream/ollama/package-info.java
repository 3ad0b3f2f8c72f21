/**
 * LlmStream over Ollama's /api/chat (NDJSON streaming), model list and readiness. Filled by its own issue.
 */
package dev.chatstream.ollama;
