package dev.chatstream.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Lets a reply's text through as it streams, except lines that begin with {@code ACTION:} (after optional
 * spaces or tabs), which are held back and parsed. The result never depends on where the pieces split:
 * text that could still become {@code ACTION:} at a line start is held only until it stops matching,
 * and a chunk never ends inside a UTF-16 surrogate pair. The matching is case-sensitive. Inside a fenced code block
 * (between lines that begin with three backticks) nothing is an action: "show me an example ACTION line" gets the
 * example as text, and nothing runs. ACTION lines belong at the end of the reply (the prompt asks for exactly
 * that): an ACTION line followed by more visible text is hidden all the same, but its outcome is
 * {@link ActionParser.Outcome.Invalid}, so a request buried mid-reply (e.g. one that text the model was shown
 * talked it into) never runs.
 *
 * <p>Not thread-safe: one instance per stream, fed from one thread.
 */
final class ActionFilter {
    private static final String MARKER = "ACTION:";
    private static final String FENCE = "```";
    static final String TEXT_AFTER = "an ACTION line must come after all of the reply's text, and this one had "
            + "text after it";

    private enum State { LINE_START, IN_TEXT, IN_ACTION }

    private final Consumer<String> release;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder actionLine = new StringBuilder();
    private final StringBuilder clean = new StringBuilder();
    private final List<ActionParser.Outcome> outcomes = new ArrayList<>();
    /** For each outcome, how long {@link #clean} was when its line ended. */
    private final List<Integer> endsAt = new ArrayList<>();
    /** The text being released by the current {@link #accept} or {@link #finish} call. */
    private StringBuilder releasing = new StringBuilder();
    private State state = State.LINE_START;
    private boolean inCode;
    private char carriedHighSurrogate;

    /** @param release receives each run of visible text, at most once per {@link #accept} call */
    ActionFilter(Consumer<String> release) {
        this.release = release;
    }

    /** Takes the next piece of the reply and releases whatever of it is now known to be visible text. */
    void accept(String piece) {
        StringBuilder out = new StringBuilder(piece.length() + 1);
        releasing = out;
        if (carriedHighSurrogate != 0) {
            out.append(carriedHighSurrogate);
            carriedHighSurrogate = 0;
        }
        int i = 0;
        int n = piece.length();
        while (i < n) {
            switch (state) {
                case IN_TEXT -> {
                    int nl = piece.indexOf('\n', i);
                    if (nl < 0) {
                        out.append(piece, i, n);
                        i = n;
                    } else {
                        out.append(piece, i, nl + 1);
                        i = nl + 1;
                        state = State.LINE_START;
                    }
                }
                case IN_ACTION -> {
                    int nl = piece.indexOf('\n', i);
                    if (nl < 0) {
                        actionLine.append(piece, i, n);
                        i = n;
                    } else {
                        actionLine.append(piece, i, nl);
                        i = nl + 1;
                        endActionLine();
                    }
                }
                case LINE_START -> {
                    char c = piece.charAt(i++);
                    if (c == '\n') {
                        out.append(pending).append(c);
                        pending.setLength(0);
                    } else {
                        pending.append(c);
                        lineStartMatch(out);
                    }
                }
            }
        }
        emit(out, false);
    }

    /**
     * Ends the reply: releases text held as a possible marker, and parses an ACTION line that had no
     * line end. Call once, after the last piece.
     */
    void finish() {
        StringBuilder out = new StringBuilder();
        releasing = out;
        if (carriedHighSurrogate != 0) {
            out.append(carriedHighSurrogate);
            carriedHighSurrogate = 0;
        }
        if (state == State.IN_ACTION) {
            endActionLine();
        } else if (state == State.LINE_START) {
            out.append(pending);
            pending.setLength(0);
        }
        emit(out, true);
    }

    /** Everything released so far: the reply without its ACTION lines. */
    String cleanText() {
        return clean.toString();
    }

    /**
     * One outcome per ACTION line, in order; an action whose line visible text follows is
     * {@link ActionParser.Outcome.Invalid}. Complete only after {@link #finish}.
     */
    List<ActionParser.Outcome> outcomes() {
        List<ActionParser.Outcome> out = new ArrayList<>(outcomes.size());
        for (int i = 0; i < outcomes.size(); i++) {
            ActionParser.Outcome outcome = outcomes.get(i);
            boolean textAfter = !clean.substring(endsAt.get(i)).isBlank();
            out.add(textAfter && outcome instanceof ActionParser.Outcome.Parsed
                    ? new ActionParser.Outcome.Invalid(TEXT_AFTER) : outcome);
        }
        return List.copyOf(out);
    }

    private void lineStartMatch(StringBuilder out) {
        int start = 0;
        while (start < pending.length() && (pending.charAt(start) == ' ' || pending.charAt(start) == '\t')) {
            start++;
        }
        int typed = pending.length() - start;
        if (typed == 0) {
            return; // only indentation so far
        }
        if (startsWith(FENCE, start, Math.min(typed, FENCE.length()))) {
            if (typed < FENCE.length()) {
                return; // still a possible fence
            }
            inCode = !inCode; // a fence line is text; it opens or closes a code block
            out.append(pending);
            pending.setLength(0);
            state = State.IN_TEXT;
            return;
        }
        if (!inCode && typed <= MARKER.length() && startsWith(MARKER, start, typed)) {
            if (typed == MARKER.length()) {
                pending.setLength(0);
                actionLine.setLength(0);
                state = State.IN_ACTION;
            }
            return; // still a possible marker
        }
        out.append(pending);
        pending.setLength(0);
        state = State.IN_TEXT;
    }

    /** Whether the {@code typed} characters of {@code pending} from {@code start} begin {@code word}. */
    private boolean startsWith(String word, int start, int typed) {
        for (int i = 0; i < typed; i++) {
            if (pending.charAt(start + i) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void endActionLine() {
        outcomes.add(ActionParser.parse(actionLine.toString()));
        endsAt.add(clean.length() + releasing.length());
        actionLine.setLength(0);
        state = State.LINE_START;
    }

    private void emit(StringBuilder out, boolean last) {
        int len = out.length();
        if (!last && len > 0 && Character.isHighSurrogate(out.charAt(len - 1))) {
            carriedHighSurrogate = out.charAt(len - 1);
            out.setLength(len - 1);
        }
        if (out.isEmpty()) {
            return;
        }
        String text = out.toString();
        clean.append(text);
        release.accept(text);
    }
}
