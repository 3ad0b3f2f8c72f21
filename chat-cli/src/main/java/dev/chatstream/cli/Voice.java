package dev.chatstream.cli;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.EventSink;
import dev.chatstream.core.SpeechSegmenter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code chat --speak}: says each segment of a reply ({@link SpeechSegmenter}: a sentence, or first a long clause; no
 * Markdown, code, links or emoji) as soon as it is complete, with a local text-to-speech command that reads text on its
 * standard input ({@code espeak-ng -v pt}, {@code piper ... | aplay}, {@code say} on a Mac). One segment at a time, in
 * order, on a thread of its own, so the reply keeps printing while it speaks. The segments are cut here from the text
 * as it arrives, the same in direct and server mode.
 */
final class Voice implements AutoCloseable {
    /** Ends the queue: a unique instance, compared by identity, never dropped with the segments. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String STOP = new String("stop");

    private final List<String> command;
    private final PrintWriter notes;
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final Thread speaker;
    private volatile Process current;
    private volatile Process silenced;
    private volatile boolean broken;

    /**
     * @param command the command line, split at spaces (quotes are not read: wrap a complex one in a script)
     * @param notes   where a command that cannot run is reported, once
     */
    Voice(String command, PrintWriter notes) {
        this.command = List.of(command.strip().split("\\s+"));
        this.notes = notes;
        this.speaker = Thread.ofPlatform().daemon().name("chat-voice").start(this::speakAll);
    }

    /** {@code next} with the reply's segments spoken: the segments go to the voice, every other event on to next. */
    EventSink over(EventSink next) {
        return SpeechSegmenter.speaking(event -> {
            if (event instanceof ChatEvent.Speech s) {
                if (!broken) {
                    queue.add(s.text());
                }
                return true;
            }
            return next.send(event);
        });
    }

    /** Stops speaking at once: what waits is dropped and the segment being said is cut (Ctrl-C). */
    void silence() {
        dropSegments();
        Process p = current;
        if (p != null) {
            silenced = p;
            p.descendants().forEach(ProcessHandle::destroy); // a script's player (piper | aplay) goes too
            p.destroy();
        }
    }

    /** Waits until everything queued has been said (a one-shot reply must not end mid-sentence), then stops. */
    @Override
    public void close() {
        queue.add(STOP);
        try {
            speaker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            silence();
        }
    }

    /** Drops what waits to be said, but not the end of the queue ({@link #close} may have put it there already). */
    private void dropSegments() {
        queue.removeIf(t -> t != STOP);
    }

    private void speakAll() {
        while (true) {
            String text;
            try {
                text = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (text == STOP) {
                return;
            }
            say(text);
        }
    }

    private void say(String text) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            current = p;
            try (OutputStream in = p.getOutputStream()) {
                in.write((text + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException closedEarly) {
                // the command stopped reading (or was silenced): nothing more to say to it
            }
            int status = p.waitFor();
            if (status != 0 && silenced != p) {
                report("exited with status " + status);
            }
        } catch (IOException e) {
            report("could not start (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            current = null;
        }
    }

    private void report(String what) {
        if (!broken) {
            broken = true;
            dropSegments();
            notes.println("chat: the speak command `" + String.join(" ", command) + "` " + what
                    + "; the reply is not spoken. Set --speak-command (or CHATSTREAM_SPEAK_COMMAND) to a command "
                    + "that reads text on its standard input, e.g. espeak-ng -v pt");
            notes.flush();
        }
    }
}
