/**
 * The composition: chatstream's settings ({@link dev.chatstream.app.AppConfig}), one Guice module per choice (the
 * LLM, the source of homes and actions), the server's and the {@code chat} command's mains, and their runnable jars.
 * The only module that depends on every adapter.
 */
package dev.chatstream.app;
