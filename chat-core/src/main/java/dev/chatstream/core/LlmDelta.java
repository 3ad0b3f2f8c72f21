package dev.chatstream.core;

/** One piece of a completion as an {@link LlmStream} produces it. */
public sealed interface LlmDelta {

    /** The next piece of the reply's text (often one token; may be empty). */
    record Text(String text) implements LlmDelta {
        public Text {
            Checks.notNull(text, "text");
        }
    }

    /** The next piece of a thinking model's reasoning. */
    record Thinking(String text) implements LlmDelta {
        public Thinking {
            Checks.notNull(text, "text");
        }
    }

    /** A native tool call, already parsed into an action. */
    record ToolCall(Action action) implements LlmDelta {
        public ToolCall {
            Checks.notNull(action, "action");
        }
    }
}
