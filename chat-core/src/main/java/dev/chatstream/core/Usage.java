package dev.chatstream.core;

import java.time.Duration;

/**
 * What one completion cost, as the LLM reported it. Figures an adapter does not know are zero.
 *
 * @param promptTokens       tokens of the prompt that were evaluated
 * @param completionTokens   tokens generated
 * @param totalDuration      wall time of the whole request upstream
 * @param loadDuration       time spent loading the model (a cold start)
 * @param promptEvalDuration time spent evaluating the prompt
 * @param evalDuration       time spent generating
 * @param doneReason         why generation stopped ({@code "stop"}, {@code "length"}, ...); empty if unknown
 */
public record Usage(long promptTokens, long completionTokens, Duration totalDuration, Duration loadDuration,
                    Duration promptEvalDuration, Duration evalDuration, String doneReason) {
    /** The {@code doneReason} of a reply the model cut short at a length limit ({@code num_predict}, the context). */
    public static final String LENGTH = "length";
    private static final Usage UNKNOWN = new Usage(0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, "");

    public Usage {
        Checks.notNegative(promptTokens, "promptTokens");
        Checks.notNegative(completionTokens, "completionTokens");
        Checks.notNull(totalDuration, "totalDuration");
        Checks.notNull(loadDuration, "loadDuration");
        Checks.notNull(promptEvalDuration, "promptEvalDuration");
        Checks.notNull(evalDuration, "evalDuration");
        Checks.notNull(doneReason, "doneReason");
    }

    /** Usage with every figure unknown (zero). */
    public static Usage unknown() {
        return UNKNOWN;
    }

    /** Whether the model stopped at a length limit rather than because it was done: the reply is cut short. */
    public boolean truncated() {
        return LENGTH.equals(doneReason);
    }

    /** Generated tokens per second of generation time; 0 when the time is unknown. */
    public double tokensPerSecond() {
        long nanos = evalDuration.toNanos();
        return nanos <= 0 ? 0.0 : completionTokens * 1_000_000_000.0 / nanos;
    }
}
