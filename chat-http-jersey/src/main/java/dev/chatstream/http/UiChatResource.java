package dev.chatstream.http;

import dev.chatstream.core.Turn;
import dev.chatstream.core.UserId;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Vercel AI SDK's front door, for React (and Vue, Svelte) apps on {@code useChat} with its
 * {@code DefaultChatTransport} pointed at {@code /api/ui/chat}: {@code POST /api/ui/chat} answers with the UI message
 * stream ({@link UiMessageWire}, header {@code x-vercel-ai-ui-message-stream: v1}); {@code GET
 * /api/ui/chat/{chatId}/stream} is the SDK's resume: the chat's running turn from its first event (the SDK's resume
 * is a replay, so the message it builds has every word once), 204 when it has none. Turns are resumable (they run on
 * for {@code resume.grace.seconds} without a reader, so a reload can pick them up) and not stored (the app keeps its
 * messages). Behind the same tokens, chat rate, stream caps and metrics as {@code /api/chat/stream}.
 */
@Path("/api/ui/chat")
public final class UiChatResource {
    static final Map<String, String> HEADERS = Map.of("x-vercel-ai-ui-message-stream", "v1");
    /** The most chats remembered at once; past it, those whose turns are gone are forgotten. */
    private static final int MAX_CHATS = 10_000;

    private final Streams streams;
    private final HttpConfig config;
    private final ChatGate gate;
    /** Each user's chat (by the SDK's chat id) and its latest turn. */
    private final Map<String, String> latestTurn = new ConcurrentHashMap<>();

    @Inject
    UiChatResource(Streams streams, HttpConfig config, ChatGate gate) {
        this.streams = streams;
        this.config = config;
        this.gate = gate;
    }

    @POST
    public void chat(@Context ContainerRequestContext context, @Context org.glassfish.grizzly.http.server.Request raw,
            @Suspended AsyncResponse async) {
        String[] chatId = new String[1];
        gate.start(context, raw, async, (body, user) -> {
            UiChatRequests.Read asked = UiChatRequests.read(body, user, config.clientSystem());
            chatId[0] = asked.chatId();
            return new ChatGate.Door(asked.request(), asked::inClientTerms, true, turn -> new UiMessageWire(turn.id()),
                    ChatResource.EVENT_STREAM, HEADERS, Optional.empty());
        }).ifPresent(stream -> remember(stream.turn().user(), chatId[0], stream.turn().id()));
    }

    /** The SDK's resume: the chat's running turn, replayed from its start; 204 when none runs. */
    @GET
    @Path("{chat: " + UiChatRequests.CHAT_ID + "}/stream")
    public void resume(@Context ContainerRequestContext context, @PathParam("chat") String chatId,
            @Context org.glassfish.grizzly.http.server.Request raw, @Suspended AsyncResponse async) {
        long start = System.nanoTime();
        String requestId = RequestIds.of(context).orElseThrow();
        UserId user = AuthFilter.user(context);
        try {
            Optional<Turn> turn = Optional.ofNullable(latestTurn.get(key(user, chatId)))
                    .flatMap(id -> streams.turn(user, id)).filter(t -> !t.ended());
            if (turn.isEmpty()) {
                context.setProperty(ResponseFilter.LOGGED, true);
                AccessLog.line(requestId, context.getMethod(), context.getUriInfo().getPath(), user.value(), 204,
                        Duration.ofNanos(System.nanoTime() - start), 0, "nothing_to_resume");
                async.resume(Response.noContent().build());
                return;
            }
            Stream stream = streams.resume(turn.get(), 0, new Stream.Call(requestId, context.getMethod(),
                    context.getUriInfo().getPath(), start), PeerWatch.peerOf(raw.getContext().getConnection()),
                    t -> new UiMessageWire(t.id()));
            ChatGate.respond(raw, async, stream, requestId, ChatResource.EVENT_STREAM, HEADERS);
        } catch (ApiException e) {
            gate.refused(context, async, e, start, requestId, user);
        }
    }

    private void remember(UserId user, String chatId, String turnId) {
        if (latestTurn.size() >= MAX_CHATS) {
            latestTurn.entrySet().removeIf(e -> streams.localTurn(UserId.of(e.getKey().substring(0,
                    e.getKey().indexOf('\n'))), e.getValue()).isEmpty());
        }
        latestTurn.put(key(user, chatId), turnId);
    }

    private static String key(UserId user, String chatId) {
        return user.value() + "\n" + chatId;
    }
}
