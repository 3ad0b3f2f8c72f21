package dev.chatstream.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a chat stream tells its consumer. A stream sends any number of {@link Chunk}s and
 * {@link Thinking}s, then on success {@link FinalText}, the {@link ActionRequested}s and
 * {@link InvalidAction}s in the order the model wrote them (each action followed by its {@link ActionResult}
 * when an {@link ActionDispatcher} runs actions), and exactly one terminal event:
 * {@link Done} or {@link Failed}. Consume it with an exhaustive {@code switch}.
 */
public sealed interface ChatEvent {

    /** Whether this event ends the stream. */
    default boolean terminal() {
        return this instanceof Done || this instanceof Failed;
    }

    /** A piece of the reply's visible text, sent as soon as it is known not to belong to an ACTION line. */
    record Chunk(String content) implements ChatEvent {
        public Chunk {
            Checks.notNull(content, "content");
        }
    }

    /**
     * The reply waits for a free LLM backend: every backend of a pool is answering as many replies as it may
     * ({@link BackendPool}). At most once, before anything else; written as the comment {@code : queued}, which
     * clients that do not know it skip, so the wire format is unchanged for them.
     *
     * @param position the request's place in line when it joined (1: next)
     */
    record Queued(int position) implements ChatEvent {
    }

    /**
     * What the reply waits for or does now, from what is really known: {@link Kind#QUEUED} (every backend busy),
     * {@link Kind#LOADING_MODEL} (the backend loads the model first), {@link Kind#THINKING} (the first reasoning, shown
     * or not), {@link Kind#GENERATING} (the first text). Each at most once per turn, in this order, before what it
     * announces. Sent as {@code event: phase} only to clients that ask ({@code "phases": true}); old clients never
     * see it.
     *
     * @param kind  the phase
     * @param atMs  milliseconds since the turn started
     */
    record Phase(Kind kind, long atMs) implements ChatEvent {
        public Phase {
            Checks.notNull(kind, "kind");
            Checks.notNegative(atMs, "atMs");
        }

        /** The phases, in the order a turn goes through them. */
        public enum Kind {
            QUEUED, LOADING_MODEL, THINKING, GENERATING;

            /** The name on the wire: {@code queued}, {@code loading_model}, {@code thinking}, {@code generating}. */
            public String wireName() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }

            /** The kind whose {@link #wireName} is {@code name}, if any. */
            public static Optional<Kind> fromWireName(String name) {
                for (Kind k : values()) {
                    if (k.wireName().equals(name)) {
                        return Optional.of(k);
                    }
                }
                return Optional.empty();
            }
        }
    }

    /**
     * A speakable segment of the reply, cut as it streams ({@link SpeechSegmenter}): a sentence, or for the first
     * one a long enough clause, without Markdown, code, URLs or emoji. Follows the chunk that completed it; the
     * segments of a reply, joined by single spaces, are {@link SpeechSegmenter#spoken} of its text. Sent as
     * {@code event: speech} only to clients that ask ({@code "speech": true}); old clients never see it.
     *
     * @param text  what to say, never blank
     * @param index its place in the reply, from 0
     */
    record Speech(String text, int index) implements ChatEvent {
        public Speech {
            Checks.notNull(text, "text");
            Checks.notNegative(index, "index");
        }
    }

    /** A piece of the model's reasoning; sent only when the request asked for it. */
    record Thinking(String content) implements ChatEvent {
        public Thinking {
            Checks.notNull(content, "content");
        }
    }

    /** The whole visible reply, without ACTION lines and without surrounding whitespace. */
    record FinalText(String text) implements ChatEvent {
        public FinalText {
            Checks.notNull(text, "text");
        }
    }

    /**
     * The model asked for an action (an ACTION line or a native tool call).
     *
     * @param action what the model asked for
     * @param ticket with automatic execution on ({@link ActionDispatcher}): the action's id and, when it waits for
     *               the user, until when it can be confirmed; empty when the client decides alone
     */
    record ActionRequested(Action action, Optional<ActionTicket> ticket) implements ChatEvent {
        public ActionRequested {
            Checks.notNull(action, "action");
            Checks.notNull(ticket, "ticket");
        }

        /** An action for the client to decide on (no automatic execution). */
        public ActionRequested(Action action) {
            this(action, Optional.empty());
        }
    }

    /**
     * An action's id, given by {@link ActionDispatcher} when it handles actions.
     *
     * @param id        opaque, unguessable, single-use; names the action in {@link ActionResult} and in the
     *                  confirm/cancel requests
     * @param confirmBy present when the action runs only once the user confirms it before this instant
     */
    record ActionTicket(String id, Optional<Instant> confirmBy) {
        public ActionTicket {
            Checks.notNull(id, "id");
            Checks.notNull(confirmBy, "confirmBy");
        }

        /** Whether the action waits for the user. */
        public boolean needsConfirmation() {
            return confirmBy.isPresent();
        }
    }

    /**
     * What became of an action with a {@link ActionTicket}: it ran, failed or was refused. An action waiting
     * for confirmation has none in its stream; the confirm or cancel request answers with its result.
     *
     * @param id      the ticket's id
     * @param status  what happened
     * @param message for people: what ran, or why not
     */
    record ActionResult(String id, ActionStatus status, String message) implements ChatEvent {
        public ActionResult {
            Checks.notNull(id, "id");
            Checks.notNull(status, "status");
            Checks.notNull(message, "message");
        }
    }

    /** An ACTION line that could not be understood; the reply goes on. The code is {@link ErrorCode#INVALID_ACTION}. */
    record InvalidAction(String message) implements ChatEvent {
        public InvalidAction {
            Checks.notNull(message, "message");
        }

        /** Always {@link ErrorCode#INVALID_ACTION}. */
        public ErrorCode code() {
            return ErrorCode.INVALID_ACTION;
        }
    }

    /**
     * The stream ended normally.
     *
     * @param usage          the LLM's figures for the turn
     * @param conversationId the stored conversation the turn was saved in, when it was saved
     */
    record Done(Usage usage, OptionalLong conversationId) implements ChatEvent {
        public Done {
            Checks.notNull(usage, "usage");
            Checks.notNull(conversationId, "conversationId");
        }

        /** A done event for a turn that was not stored. */
        public Done(Usage usage) {
            this(usage, OptionalLong.empty());
        }

        /** A copy saying the turn was stored in conversation {@code id}. */
        public Done withConversationId(long id) {
            return new Done(usage, OptionalLong.of(id));
        }
    }

    /**
     * The stream ended with an error; the message is for people, the code for programs.
     *
     * @param conversationId the stored conversation the unfinished turn was saved in, when it was saved
     * @param retryAfter     how long to wait before sending again, when the upstream said (e.g. Ollama busy);
     *                       zero when unknown
     */
    record Failed(ErrorCode code, String message, OptionalLong conversationId, Duration retryAfter)
            implements ChatEvent {
        public Failed {
            Checks.notNull(code, "code");
            Checks.notNull(message, "message");
            Checks.notNull(conversationId, "conversationId");
            Checks.notNull(retryAfter, "retryAfter");
        }

        /** A failure of a turn that was not stored, with no retry hint. */
        public Failed(ErrorCode code, String message) {
            this(code, message, OptionalLong.empty(), Duration.ZERO);
        }

        /** A failure with no retry hint. */
        public Failed(ErrorCode code, String message, OptionalLong conversationId) {
            this(code, message, conversationId, Duration.ZERO);
        }

        /** A copy saying the unfinished turn was stored in conversation {@code id}. */
        public Failed withConversationId(long id) {
            return new Failed(code, message, OptionalLong.of(id), retryAfter);
        }

        /** The event for a failure, with its retry hint when it has one. */
        public static Failed of(ChatException e) {
            Duration wait = e instanceof TransientException t ? t.retryAfter().orElse(Duration.ZERO) : Duration.ZERO;
            return new Failed(e.code(), e.getMessage(), OptionalLong.empty(), wait);
        }
    }
}
