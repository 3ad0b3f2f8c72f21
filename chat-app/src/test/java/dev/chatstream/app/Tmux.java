package dev.chatstream.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A program in a real pseudo-terminal: a tmux server of its own (its own socket), one 120x40 session,
 * keys sent with {@code send-keys}, the screen read with {@code capture-pane}. UTF-8 forced ({@code -u}).
 */
final class Tmux implements AutoCloseable {
    private final String socket = "chatstream-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    Tmux(String shellCommand) {
        tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", shellCommand);
    }

    /** Types {@code keys} (tmux key names such as {@code Enter}, {@code C-c}, {@code Up} are keys; the rest literal text). */
    void send(String... keys) {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "t"));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** Types text literally (no key-name lookup). */
    void type(String text) {
        tmux("send-keys", "-t", "t", "-l", text);
    }

    /** The screen and its scrollback, wrapped lines joined. */
    String screen() {
        return tmux("capture-pane", "-p", "-J", "-t", "t", "-S", "-200");
    }

    /** Waits up to {@code timeout} for the screen to satisfy {@code condition}; returns the screen then. */
    String await(Predicate<String> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String screen = screen();
        while (!condition.test(screen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; the screen was:\n" + screen);
            }
            sleep(50);
            screen = screen();
        }
        return screen;
    }

    /** Whether the program still runs (its session closes when it exits). */
    boolean running() {
        return run("has-session", "-t", "t").exit == 0;
    }

    @Override
    public void close() {
        run("kill-server");
    }

    private String tmux(String... args) {
        Result r = run(args);
        if (r.exit != 0) {
            throw new IllegalStateException("tmux " + String.join(" ", args) + " failed (" + r.exit + "): " + r.output
                    + (r.exit == 127 ? " — install tmux (apt-get install tmux)" : ""));
        }
        return r.output;
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... args) {
        List<String> command = new ArrayList<>(List.of("tmux", "-u", "-L", socket));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), output);
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
