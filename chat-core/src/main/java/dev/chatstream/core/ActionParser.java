package dev.chatstream.core;

import java.util.Map;

/** Turns the JSON after {@code ACTION:} into an {@link Action}, or says exactly why it cannot. */
final class ActionParser {
    private ActionParser() {
    }

    /** The outcome of one ACTION line: an action, or the reason it was refused. */
    sealed interface Outcome {
        /** A well-formed action. */
        record Parsed(Action action) implements Outcome {
        }

        /** A line that is not a valid action; {@code reason} is for people. */
        record Invalid(String reason) implements Outcome {
        }
    }

    static Outcome parse(String json) {
        String trimmed = json.strip();
        if (trimmed.isEmpty()) {
            return new Outcome.Invalid("the ACTION line has no JSON after \"ACTION:\"");
        }
        Object value;
        try {
            value = JsonReader.read(trimmed);
        } catch (JsonReader.JsonSyntaxException e) {
            return new Outcome.Invalid("the ACTION line is not valid JSON: " + e.getMessage());
        }
        if (!(value instanceof Map<?, ?> object)) {
            return new Outcome.Invalid("the ACTION line must hold a JSON object like {\"tool\": \"...\", \"args\": {...}}");
        }
        if (!(object.get("tool") instanceof String tool) || tool.isBlank()) {
            return new Outcome.Invalid("the ACTION JSON has no \"tool\" name");
        }
        Object args = object.containsKey("args") ? object.get("args") : JsonReader.emptyObject();
        if (!(args instanceof Map<?, ?> argsObject)) {
            return new Outcome.Invalid("the ACTION JSON's \"args\" must be an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) argsObject;
        return new Outcome.Parsed(new Action(tool.strip(), typed));
    }
}
