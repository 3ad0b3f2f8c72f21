package dev.chatstream.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One part's answer to a {@link HealthCheck}: facts for people (in order, e.g. {@code ollama_version}), and, when it
 * cannot serve, the problem and what to do about it, with an error code when one fits.
 *
 * @param facts   what the part reports about itself, in the order to show it
 * @param problem empty when the part can serve; otherwise what is wrong and what to do
 * @param code    the stable code of the problem, when one fits
 */
public record Health(Map<String, String> facts, Optional<String> problem, Optional<ErrorCode> code) {
    public Health {
        facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Checks.notNull(facts, "facts")));
        Checks.notNull(problem, "problem");
        Checks.notNull(code, "code");
        if (problem.isEmpty() && code.isPresent()) {
            throw new IllegalArgumentException("a code (" + code.get().code() + ") needs a problem to go with it");
        }
    }

    /** A part that can serve, with these facts. */
    public static Health ok(Map<String, String> facts) {
        return new Health(facts, Optional.empty(), Optional.empty());
    }

    /** A part that cannot serve: {@code problem} says why and what to do. */
    public static Health problem(Map<String, String> facts, String problem, Optional<ErrorCode> code) {
        return new Health(facts, Optional.of(Checks.notNull(problem, "problem")), code);
    }

    /** Whether the part can serve. */
    public boolean ok() {
        return problem.isEmpty();
    }
}
