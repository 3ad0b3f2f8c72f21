package dev.chatstream.http;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a whole turn said, for a front door that answers once ({@code "stream": false}): its text (the final text, else
 * what was shown), its reasoning, the actions it asked for, and how it ended.
 *
 * @param usage  present when the turn finished
 * @param failed present when it failed; both empty when the client left before the end
 */
record WholeTurn(String text, String reasoning, List<ChatEvent.ActionRequested> actions, Optional<Usage> usage,
        Optional<ChatEvent.Failed> failed) {

    static WholeTurn of(List<ChatEvent> events) {
        StringBuilder shown = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        String finalText = null;
        List<ChatEvent.ActionRequested> actions = new ArrayList<>();
        Usage usage = null;
        ChatEvent.Failed failed = null;
        for (ChatEvent event : events) {
            switch (event) {
                case ChatEvent.Chunk c -> shown.append(c.content());
                case ChatEvent.Thinking t -> reasoning.append(t.content());
                case ChatEvent.FinalText f -> finalText = f.text();
                case ChatEvent.ActionRequested a -> actions.add(a);
                case ChatEvent.Done d -> usage = d.usage();
                case ChatEvent.Failed f -> failed = f;
                case ChatEvent.Queued q -> {
                }
                case ChatEvent.Phase p -> {
                }
                case ChatEvent.Speech s -> {
                }
                case ChatEvent.ActionResult r -> {
                }
                case ChatEvent.InvalidAction i -> {
                }
            }
        }
        return new WholeTurn(finalText != null ? finalText : shown.toString().strip(), reasoning.toString(),
                List.copyOf(actions), Optional.ofNullable(usage), Optional.ofNullable(failed));
    }
}
