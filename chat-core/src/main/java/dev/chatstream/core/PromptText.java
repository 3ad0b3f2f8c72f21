package dev.chatstream.core;

/**
 * Text that reaches a prompt from outside the user's own message (a device or area name from Home Assistant, say),
 * made safe to present there as data: every control character (a line break included) becomes a space, runs of
 * spaces become one, and it is cut to {@link #MAX_CHARS} characters with an ellipsis. A name therefore cannot start a
 * new line of the prompt, nor fill it; the prompt also quotes it ({@link Json}), so it cannot close its own quotes.
 */
public final class PromptText {
    /** The longest name kept, as for names the user stores. */
    public static final int MAX_CHARS = 200;

    private PromptText() {
    }

    /** {@code text} on one line, at most {@link #MAX_CHARS} characters. */
    public static String clean(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CHARS + 1));
        boolean space = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (Character.isISOControl(c) || Character.isWhitespace(c) || c == 0x2028 || c == 0x2029) {
                space = out.length() > 0;
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            out.appendCodePoint(c);
            if (out.codePointCount(0, out.length()) > MAX_CHARS) {
                return out.substring(0, out.offsetByCodePoints(0, MAX_CHARS - 1)) + "…";
            }
        }
        return out.toString();
    }
}
