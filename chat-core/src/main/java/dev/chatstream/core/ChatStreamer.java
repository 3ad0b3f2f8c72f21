package dev.chatstream.core;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The streaming use case: validates a request, assembles its prompt from the context ports, streams the
 * reply from the {@link LlmStream} through the ACTION filter, and sends {@link ChatEvent}s to an
 * {@link EventSink}.
 *
 * <p>{@link #stream} sends exactly one terminal event ({@link ChatEvent.Done} or {@link ChatEvent.Failed})
 * whatever happens: success, invalid request, LLM failure before or after the first token, cancellation,
 * a consumer that went away or a sink that throws, or a bug (reported as {@code internal_error}, with the
 * details only in the log). When the consumer goes away or {@code cancellation} fires, the LLM call is
 * cancelled at once and only the terminal {@code cancelled} event follows.
 *
 * <p>Thread-safe: one instance serves every request; each call to {@link #stream} blocks its caller (use a
 * virtual thread per stream).
 */
public final class ChatStreamer {
    private static final System.Logger LOG = System.getLogger(ChatStreamer.class.getName());
    static final String CONSUMER_GONE = "The client went away";
    /** The most actions one reply may ask for; the prompt asks for one ACTION line at most. */
    static final int MAX_ACTIONS_PER_REPLY = 3;

    private final LlmStream llm;
    private final PromptContextSource context;
    private final MemoryStore memories;
    private final Clock clock;
    private final ChatSettings settings;
    private final RequestValidator validator;
    private final PromptAssembler assembler;
    private final TokenEstimate estimate = new TokenEstimate();

    /**
     * @param llm      streams the replies
     * @param context  the base prompt and each user's home
     * @param memories each user's memories
     * @param clock    the time line's clock (its zone is the user's time zone)
     * @param settings limits and sizes
     */
    public ChatStreamer(LlmStream llm, PromptContextSource context, MemoryStore memories, Clock clock,
                        ChatSettings settings) {
        this.llm = Checks.notNull(llm, "llm");
        this.context = Checks.notNull(context, "context");
        this.memories = Checks.notNull(memories, "memories");
        this.clock = Checks.notNull(clock, "clock");
        this.settings = Checks.notNull(settings, "settings");
        this.validator = new RequestValidator(settings);
        this.assembler = new PromptAssembler(settings, estimate);
    }

    /**
     * Checks a request without running it, so a server can answer 400 before it opens a stream.
     *
     * @throws InvalidRequestException naming the field and the limit
     */
    public void validate(ChatRequest request) {
        validator.validate(Checks.notNull(request, "request"));
    }

    /**
     * The messages the model would get for this request now, with the context fetched through the ports.
     *
     * @throws ChatException when the request is invalid or the context cannot be loaded
     */
    public List<ChatMessage> prompt(ChatRequest request) {
        validate(request);
        String base;
        HomeContext home;
        try {
            base = context.baseSystemPrompt();
            home = context.homeContext(request.user());
        } catch (ChatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TransientException(ErrorCode.CONTEXT_UNAVAILABLE,
                    "The user's context could not be loaded; try again in a moment", e);
        }
        List<Memory> relevant = relevantMemories(request);
        return assembler.assemble(request, base, home, relevant, ZonedDateTime.now(clock),
                llm.contextTokens(request.options()), llm.replyTokens(request.options()));
    }

    /**
     * Runs one chat turn, sending its events to {@code sink}; returns when the terminal event was sent.
     *
     * @param cancellation fires to stop the turn from another thread (client gone, Stop, timeout, shutdown)
     */
    public void stream(ChatRequest request, EventSink sink, Cancellation cancellation) {
        Checks.notNull(request, "request");
        Checks.notNull(sink, "sink");
        Checks.notNull(cancellation, "cancellation");
        new Turn(request, sink, cancellation).run();
    }

    private List<Memory> relevantMemories(ChatRequest request) {
        if (!MemoryRecall.needsMemories(request.message())) {
            return List.of();
        }
        try {
            return memories.relevant(request.user(), request.message(), settings.memoryLimit());
        } catch (RuntimeException e) {
            // Memories make a reply more personal; without them it is still a reply.
            LOG.log(Level.WARNING, "Memory lookup failed; answering without memories", e);
            return List.of();
        }
    }

    /** One run of {@link #stream}: the state that must not outlive it. */
    private final class Turn {
        private final ChatRequest request;
        private final EventSink sink;
        private final Cancellation cancellation;
        private boolean consumerGone;
        private boolean terminalSent;
        private final long startNanos = System.nanoTime();
        private ChatEvent.Phase.Kind lastPhase;

        Turn(ChatRequest request, EventSink sink, Cancellation cancellation) {
            this.request = request;
            this.sink = sink;
            this.cancellation = cancellation;
        }

        void run() {
            try {
                cancellation.throwIfCancelled();
                List<ChatMessage> messages = prompt(request);
                cancellation.throwIfCancelled();
                ActionFilter filter = new ActionFilter(text -> send(new ChatEvent.Chunk(text)));
                List<Action> toolCalls = new ArrayList<>();
                boolean includeThinking = request.options().includeThinking();
                Usage usage = llm.stream(new LlmRequest(messages, request.options()), new LlmListener() {
                    @Override
                    public void onDelta(LlmDelta delta) {
                        if (consumerGone) {
                            return;
                        }
                        switch (delta) {
                            case LlmDelta.Text t -> {
                                if (!t.text().isEmpty()) {
                                    phase(ChatEvent.Phase.Kind.GENERATING);
                                }
                                filter.accept(t.text());
                            }
                            case LlmDelta.Thinking t -> {
                                phase(ChatEvent.Phase.Kind.THINKING);
                                if (includeThinking && !t.text().isEmpty()) {
                                    send(new ChatEvent.Thinking(t.text()));
                                }
                            }
                            case LlmDelta.ToolCall call -> toolCalls.add(call.action());
                        }
                    }

                    @Override
                    public void onQueued(int position) {
                        if (!consumerGone) {
                            send(new ChatEvent.Queued(position));
                            phase(ChatEvent.Phase.Kind.QUEUED);
                        }
                    }

                    @Override
                    public void onLoadingModel() {
                        phase(ChatEvent.Phase.Kind.LOADING_MODEL);
                    }
                }, cancellation);
                if (consumerGone) {
                    throw new StreamCancelledException(CONSUMER_GONE);
                }
                estimate.observe(messages, usage.promptTokens());
                filter.finish();
                send(new ChatEvent.FinalText(filter.cleanText().strip()));
                int actions = 0;
                for (ActionParser.Outcome outcome : filter.outcomes()) {
                    send(switch (outcome) {
                        case ActionParser.Outcome.Parsed p -> actions++ < MAX_ACTIONS_PER_REPLY
                                ? new ChatEvent.ActionRequested(p.action()) : tooMany();
                        case ActionParser.Outcome.Invalid i -> new ChatEvent.InvalidAction(
                                "The assistant's action was ignored: " + i.reason());
                    });
                }
                for (Action call : toolCalls) {
                    send(actions++ < MAX_ACTIONS_PER_REPLY ? new ChatEvent.ActionRequested(call) : tooMany());
                }
                if (consumerGone) {
                    throw new StreamCancelledException(CONSUMER_GONE);
                }
                terminal(new ChatEvent.Done(usage));
            } catch (StreamCancelledException e) {
                terminal(consumerGone
                        ? new ChatEvent.Failed(ErrorCode.CANCELLED, CONSUMER_GONE)
                        : new ChatEvent.Failed(cancellation.code(), e.getMessage()));
            } catch (ChatException e) {
                terminal(ChatEvent.Failed.of(e));
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "Chat stream failed for user " + request.user(), e);
                terminal(internalError());
            } finally {
                if (!terminalSent) { // an Error escaped: still end the stream
                    terminal(internalError());
                }
            }
        }

        /** Announces {@code kind} once, unless a later phase was announced already. */
        private void phase(ChatEvent.Phase.Kind kind) {
            if (consumerGone || (lastPhase != null && lastPhase.ordinal() >= kind.ordinal())) {
                return;
            }
            lastPhase = kind;
            send(new ChatEvent.Phase(kind, (System.nanoTime() - startNanos) / 1_000_000));
        }

        private void send(ChatEvent event) {
            if (consumerGone) {
                return;
            }
            boolean open;
            try {
                open = sink.send(event);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "The event sink failed; treating its consumer as gone", e);
                open = false;
            }
            if (!open) {
                consumerGone = true;
                cancellation.cancel(CONSUMER_GONE);
            }
        }

        private void terminal(ChatEvent event) {
            if (terminalSent) {
                return;
            }
            terminalSent = true;
            try {
                sink.send(event);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "The event sink failed on the terminal event", e);
            }
        }

        private static ChatEvent.InvalidAction tooMany() {
            return new ChatEvent.InvalidAction("The assistant's action was ignored: a reply may ask for at most "
                    + MAX_ACTIONS_PER_REPLY + " actions");
        }

        private static ChatEvent.Failed internalError() {
            return new ChatEvent.Failed(ErrorCode.INTERNAL,
                    "Something went wrong in chatstream; the server log has the details");
        }
    }
}
