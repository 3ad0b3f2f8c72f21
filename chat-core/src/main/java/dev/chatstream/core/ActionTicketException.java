package dev.chatstream.core;

/**
 * An action waiting for confirmation cannot be confirmed or cancelled: its id is unknown or another user's
 * ({@link ErrorCode#ACTION_NOT_FOUND}, the same answer for both so ids cannot be probed), its time ran out
 * ({@link ErrorCode#ACTION_EXPIRED}), or it was already decided ({@link ErrorCode#ACTION_ALREADY_DECIDED}).
 * Nothing ran. Ask the assistant again for a new action.
 */
public final class ActionTicketException extends ChatException {
    ActionTicketException(ErrorCode code, String message) {
        super(code, message, null);
        if (code != ErrorCode.ACTION_NOT_FOUND && code != ErrorCode.ACTION_EXPIRED
                && code != ErrorCode.ACTION_ALREADY_DECIDED) {
            throw new IllegalArgumentException("not an action ticket code: " + code);
        }
    }
}
