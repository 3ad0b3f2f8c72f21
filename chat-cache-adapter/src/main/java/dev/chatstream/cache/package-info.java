/**
 * Caffeine decorators for PromptContextSource and MemoryStore. Filled by its own issue.
 */
package dev.chatstream.cache;
