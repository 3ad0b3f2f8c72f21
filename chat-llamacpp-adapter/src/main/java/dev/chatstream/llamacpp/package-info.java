/**
 * {@link dev.chatstream.llamacpp.LlamaCppLlmStream}: the {@code LlmStream} port over llama.cpp running in
 * this JVM (JNI, {@code de.kherud:llama}), for machines without Ollama. Configured by
 * {@link dev.chatstream.llamacpp.LlamaCppConfig}; everything else is package-private.
 */
package dev.chatstream.llamacpp;
