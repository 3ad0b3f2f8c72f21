package dev.chatstream.core;

/** The stream was stopped on purpose (client gone, stop asked, shutdown): nobody waits for the rest. */
public final class StreamCancelledException extends ChatException {
    /** @param reason why the stream stopped, e.g. "The client went away" */
    public StreamCancelledException(String reason) {
        super(ErrorCode.CANCELLED, reason, null);
    }
}
