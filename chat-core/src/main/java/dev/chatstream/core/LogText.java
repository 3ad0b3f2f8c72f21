package dev.chatstream.core;

import java.util.regex.Pattern;

/**
 * Values as they go into a {@code key=value} log line, so that no value can forge a line or a field: a value made
 * only of plain characters (letters, digits, {@code / . _ ~ - : @ ,}) stays as it is; anything else (a space, a
 * quote, a line break, any control character, a non-ASCII letter) is written as a JSON string, with every control
 * character escaped. A request path decoded from {@code %0A}, a device name from Home Assistant or an argument the
 * model chose therefore always stays inside its own field of its own line.
 */
public final class LogText {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9/._~\\-:@,]+");

    private LogText() {
    }

    /** {@code value} as one log field: bare when plain, else a JSON string. */
    public static String field(String value) {
        return PLAIN.matcher(value).matches() ? value : Json.write(value);
    }
}
