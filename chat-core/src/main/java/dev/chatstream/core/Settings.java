package dev.chatstream.core;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Settings by key, each value with where it came from, so that a part reads its own section into its validated
 * config record and a bad value's error names the key, its source and what is accepted. Each part declares its
 * {@link Key}s (name and default); {@link #load} reads, lowest precedence first, the defaults, a properties file
 * ({@code --config=FILE} or {@code CHATSTREAM_CONFIG}), environment variables ({@code CHATSTREAM_PORT} for
 * {@code port}) and flags ({@code --port=8081}), and refuses keys nobody declared. Immutable and thread-safe.
 */
public final class Settings {
    /**
     * A setting a part reads.
     *
     * @param name         its name in a file and as a flag, e.g. {@code ollama.url}
     * @param defaultValue its value when nothing sets it; empty for none
     */
    public record Key(String name, String defaultValue) {
        public Key {
            Checks.notNull(name, "name");
            Checks.notNull(defaultValue, "defaultValue");
            if (!name.matches("[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*")) {
                throw new IllegalArgumentException("a setting's name is lower-case words joined by dots, got " + name);
            }
        }

        /** {@code CHATSTREAM_} and the name in upper case with dots as underscores. */
        public String envVar() {
            return "CHATSTREAM_" + name.toUpperCase(Locale.ROOT).replace('.', '_');
        }
    }

    private record Value(String text, String source) {
    }

    private final Map<String, Value> values;

    private Settings(Map<String, Value> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * The settings for {@code keys}, from flags ({@code --key=value}), the environment and the file they name.
     *
     * @throws ConfigException for a flag that is not {@code --key=value}, an unknown key or an unreadable file
     */
    public static Settings load(List<Key> keys, List<String> args, Map<String, String> env) {
        Map<String, Key> known = new LinkedHashMap<>();
        keys.forEach(k -> known.put(k.name(), k));
        Map<String, Value> values = new LinkedHashMap<>();
        known.values().forEach(k -> values.put(k.name(), new Value(k.defaultValue(), "default")));
        Map<String, String> flags = flags(args);
        String file = flags.getOrDefault("config", env.get("CHATSTREAM_CONFIG"));
        if (file != null && !file.isBlank()) {
            Properties p = readFile(Path.of(file));
            for (String name : p.stringPropertyNames()) {
                if (!known.containsKey(name)) {
                    throw new ConfigException("Unknown key '" + name + "' in " + file + "; known keys: "
                            + String.join(", ", known.keySet()));
                }
                values.put(name, new Value(p.getProperty(name).strip(), "key " + name + " in " + file));
            }
        }
        for (Key k : known.values()) {
            String v = env.get(k.envVar());
            if (v != null) {
                values.put(k.name(), new Value(v.strip(), "environment variable " + k.envVar()));
            }
        }
        flags.forEach((name, v) -> {
            if (!name.equals("config")) {
                if (!known.containsKey(name)) {
                    throw new ConfigException("Unknown flag --" + name + "; known flags: --config, --"
                            + String.join(", --", known.keySet()));
                }
                values.put(name, new Value(v.strip(), "flag --" + name));
            }
        });
        return new Settings(values);
    }

    /** The value of {@code key} as given (stripped), or its default. */
    public String text(Key key) {
        return value(key).text();
    }

    /** Where the value of {@code key} came from, for messages: {@code flag --port}, {@code default}... */
    public String source(Key key) {
        return value(key).source();
    }

    /** The value when it is not blank. */
    public Optional<String> optional(Key key) {
        String v = text(key);
        return v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /** {@code key (source) must be ACCEPTED, got "value"}: the error for a value that cannot be used. */
    public ConfigException bad(Key key, String accepted) {
        Value v = value(key);
        return new ConfigException(key.name() + " (" + v.source() + ") must be " + accepted + ", got \"" + v.text()
                + "\"");
    }

    /** A value that must not be blank. */
    public String nonBlank(Key key, String accepted) {
        String v = text(key);
        if (v.isBlank()) {
            throw bad(key, accepted);
        }
        return v;
    }

    /** A whole number from {@code min} to {@code max}. */
    public int integer(Key key, int min, int max) {
        try {
            int v = Integer.parseInt(text(key));
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(key, "a whole number from " + min + " to " + max);
    }

    /** {@code true} or {@code false}, in any case. */
    public boolean bool(Key key) {
        String v = text(key).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw bad(key, "true or false");
        }
        return v.equals("true");
    }

    /** An http:// or https:// URL with a host. */
    public URI url(Key key, String example) {
        try {
            URI u = new URI(text(key));
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
                return u;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw bad(key, "an http:// or https:// URL such as " + example);
    }

    private Value value(Key key) {
        Value v = values.get(key.name());
        if (v == null) {
            throw new IllegalStateException("the setting " + key.name() + " was not declared when loading");
        }
        return v;
    }

    private static Map<String, String> flags(List<String> args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new ConfigException("Flags look like --key=value (e.g. --port=8081), got \"" + arg + "\"");
            }
            int eq = arg.indexOf('=');
            flags.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return flags;
    }

    private static Properties readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return p;
        } catch (IOException e) {
            throw new ConfigException("Cannot read the configuration file " + file + ": " + e.getMessage());
        }
    }

    /** Every key of these lists, in order; a key declared twice is a bug. */
    public static List<Key> all(List<List<Key>> sections) {
        List<Key> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (List<Key> section : sections) {
            for (Key k : section) {
                if (!seen.add(k.name())) {
                    throw new IllegalArgumentException("the setting " + k.name() + " is declared twice");
                }
                out.add(k);
            }
        }
        return List.copyOf(out);
    }
}
