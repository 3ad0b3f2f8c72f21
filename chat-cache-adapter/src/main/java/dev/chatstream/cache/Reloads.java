package dev.chatstream.cache;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Where background reloads run: one virtual thread each, because loaders block on I/O (files, databases,
 * Home Assistant) and must not occupy the common fork-join pool.
 */
final class Reloads {
    static final Executor EXECUTOR = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("chatstream-cache-reload-", 0).factory());

    private Reloads() {
    }
}
