package dev.chatstream.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link PromptContextSource} and {@link HomeContextStore} in memory: a fixed base prompt and a home per
 * user (empty by default). Counts its loads and can be told to fail, so cache tests can see what reaches it.
 * Thread-safe.
 */
public final class InMemoryPromptContextSource implements PromptContextSource, HomeContextStore {
    private final Map<UserId, HomeContext> homes = new ConcurrentHashMap<>();
    private final AtomicInteger baseLoads = new AtomicInteger();
    private final AtomicInteger homeLoads = new AtomicInteger();
    private volatile String basePrompt;
    private volatile RuntimeException failure;

    /** A source with chatstream's default system prompt. */
    public InMemoryPromptContextSource() {
        this(SystemPrompt.defaultPrompt());
    }

    /** A source with the given base prompt. */
    public InMemoryPromptContextSource(String basePrompt) {
        this.basePrompt = Checks.notNull(basePrompt, "basePrompt");
    }

    @Override
    public String baseSystemPrompt() {
        baseLoads.incrementAndGet();
        throwIfFailing();
        return basePrompt;
    }

    @Override
    public HomeContext homeContext(UserId user) {
        homeLoads.incrementAndGet();
        throwIfFailing();
        return homes.getOrDefault(user, HomeContext.empty());
    }

    @Override
    public void replaceHomeContext(UserId user, HomeContext home) {
        Checks.notNull(user, "user");
        Checks.notNull(home, "home");
        throwIfFailing();
        homes.put(user, home);
    }

    /** Sets a user's home. */
    public InMemoryPromptContextSource put(UserId user, HomeContext home) {
        replaceHomeContext(user, home);
        return this;
    }

    /** Replaces the base prompt. */
    public void setBasePrompt(String prompt) {
        basePrompt = Checks.notNull(prompt, "prompt");
    }

    /** Makes every load throw {@code error} until {@link #recover()}. */
    public void failWith(RuntimeException error) {
        failure = error;
    }

    /** Ends {@link #failWith}. */
    public void recover() {
        failure = null;
    }

    /** How many times the base prompt was loaded. */
    public int baseLoads() {
        return baseLoads.get();
    }

    /** How many times any user's home was loaded. */
    public int homeLoads() {
        return homeLoads.get();
    }

    private void throwIfFailing() {
        RuntimeException e = failure;
        if (e != null) {
            throw e;
        }
    }
}
