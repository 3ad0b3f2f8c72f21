package dev.chatstream.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts a byte stream into whole lines, whatever the reads: a line split across reads, several lines in one
 * read, {@code \r\n}, a last line without {@code \n}. Lines are handed out as bytes, so a UTF-8 character split
 * across reads is decoded only once whole. A line longer than the limit is an error, never an out-of-memory.
 * Not thread-safe. Used by the adapters that read line-based streams (NDJSON, SSE).
 */
public final class LineReader {
    /** Thrown when a line exceeds the limit. */
    public static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException(int limit) {
            super("a line is longer than " + limit + " bytes");
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] readBuffer = new byte[8192];
    private int readPos;
    private int readEnd;
    private byte[] line = new byte[1024];
    private int lineLength;
    private boolean eof;

    /** A reader of {@code in} that refuses lines longer than {@code maxLineBytes}. */
    public LineReader(InputStream in, int maxLineBytes) {
        this.in = Checks.notNull(in, "in");
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads the next line that is not blank, without its line end.
     *
     * @return false at the end of the stream
     */
    public boolean next() throws IOException {
        while (true) {
            lineLength = 0;
            boolean complete = fillLine();
            if (!complete && lineLength == 0) {
                return false;
            }
            if (lineLength > 0 && line[lineLength - 1] == '\r') {
                lineLength--;
            }
            if (!isBlank()) {
                return true;
            }
            if (!complete) {
                return false;
            }
        }
    }

    /** The current line's bytes, valid up to {@link #length()} until the next call to {@link #next()}. */
    public byte[] bytes() {
        return line;
    }

    /** The current line's length in bytes. */
    public int length() {
        return lineLength;
    }

    /** @return true if the line ended with {@code \n}, false if the stream ended first */
    private boolean fillLine() throws IOException {
        while (true) {
            if (readPos == readEnd) {
                if (eof) {
                    return false;
                }
                int n = in.read(readBuffer);
                if (n < 0) {
                    eof = true;
                    return false;
                }
                readPos = 0;
                readEnd = n;
            }
            int nl = -1;
            for (int i = readPos; i < readEnd; i++) {
                if (readBuffer[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? readEnd : nl;
            append(readPos, end - readPos);
            readPos = nl < 0 ? readEnd : nl + 1;
            if (nl >= 0) {
                return true;
            }
        }
    }

    private void append(int from, int count) throws LineTooLongException {
        if (lineLength + count > maxLineBytes) {
            throw new LineTooLongException(maxLineBytes);
        }
        if (lineLength + count > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(line.length * 2, lineLength + count)));
        }
        System.arraycopy(readBuffer, from, line, lineLength, count);
        lineLength += count;
    }

    private boolean isBlank() {
        for (int i = 0; i < lineLength; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
