package dev.chatstream.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link MemoryStore} in a map, for tests and for embedders who keep nothing across restarts. Relevance
 * is the number of words (three letters or more, case and accents folded) a memory shares with the message.
 * Counts calls to {@link #relevant}, so cache tests can see loads. Thread-safe.
 */
public final class InMemoryMemoryStore implements MemoryStore {
    private final Clock clock;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger relevantCalls = new AtomicInteger();
    private final Map<UserId, Map<Long, Memory>> byUser = new LinkedHashMap<>();

    /** A store stamping memories with the system clock. */
    public InMemoryMemoryStore() {
        this(Clock.systemUTC());
    }

    /** A store stamping memories with {@code clock}. */
    public InMemoryMemoryStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public List<Memory> relevant(UserId user, String message, int limit) {
        Checks.positive(limit, "limit");
        relevantCalls.incrementAndGet();
        Set<String> words = words(message);
        record Scored(Memory memory, long score) {
        }
        List<Scored> scored = new ArrayList<>();
        for (Memory m : list(user)) {
            long score = words(m.text()).stream().filter(words::contains).count();
            if (score > 0) {
                scored.add(new Scored(m, score));
            }
        }
        return scored.stream()
                .sorted(Comparator.comparingLong(Scored::score).reversed()
                        .thenComparing(s -> s.memory().id(), Comparator.reverseOrder()))
                .limit(limit)
                .map(Scored::memory)
                .toList();
    }

    @Override
    public synchronized Memory add(UserId user, String text) {
        Checks.notNull(user, "user");
        Memory memory = new Memory(ids.incrementAndGet(), Memory.checkedText(text), clock.instant());
        byUser.computeIfAbsent(user, u -> new LinkedHashMap<>()).put(memory.id(), memory);
        return memory;
    }

    @Override
    public synchronized List<Memory> list(UserId user) {
        return List.copyOf(byUser.getOrDefault(user, Map.of()).values());
    }

    @Override
    public synchronized boolean delete(UserId user, long memoryId) {
        Map<Long, Memory> memories = byUser.get(user);
        return memories != null && memories.remove(memoryId) != null;
    }

    /** How many times {@link #relevant} was called. */
    public int relevantCalls() {
        return relevantCalls.get();
    }

    private static Set<String> words(String text) {
        Set<String> words = new HashSet<>(Arrays.asList(MemoryRecall.normalise(text).split(" ")));
        words.removeIf(w -> w.length() < 3);
        return words;
    }
}
