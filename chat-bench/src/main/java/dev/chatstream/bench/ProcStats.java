package dev.chatstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time and resident memory from Linux's {@code /proc}: {@code stat} fields 14 and 15 (user and
 * system time, in clock ticks of 10 ms) and {@code status} {@code VmRSS} / {@code VmHWM}.
 */
final class ProcStats {
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

    private ProcStats() {
    }

    /** User plus system CPU time of {@code pid}, in nanoseconds. */
    static long cpuNanos(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after "pid (comm) ": state is f[0], so utime (field 14) is f[11] and stime f[12]
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    }

    /** Resident memory now, in bytes. */
    static long rssBytes(long pid) {
        return statusKb(pid, "VmRSS:") * 1024;
    }

    /** Threads now. */
    static long threads(long pid) {
        return statusKb(pid, "Threads:");
    }

    private static long statusKb(long pid, String key) {
        for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).strip().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(key + " not in /proc/" + pid + "/status");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
