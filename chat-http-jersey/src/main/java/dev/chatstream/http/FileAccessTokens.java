package dev.chatstream.http;

import dev.chatstream.core.AccessTokens;
import dev.chatstream.core.UserId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API tokens in a file ({@code tokens} in the data directory), one line per token: user, SHA-256 of the
 * token in hex, creation time. Tokens are 256 random bits, shown once when created and never stored. The
 * file is written owner-only. Until the store module replaces it, this is where users come from.
 * Thread-safe.
 *
 * <p>A lookup hashes the presented token and compares it with every stored hash in constant time, so the
 * time taken says nothing about which token, or how much of one, matched.
 */
final class FileAccessTokens implements AccessTokens {
    static final String PREFIX = "cs_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(UserId user, byte[] hash, Instant created) {
    }

    private final Path file;
    private final Map<String, Entry> byHashHex = new ConcurrentHashMap<>();

    private FileAccessTokens(Path file) {
        this.file = file;
    }

    /** Opens (or creates the directory for) the token file in {@code dataDir}. */
    static FileAccessTokens open(Path dataDir) {
        FileAccessTokens tokens = new FileAccessTokens(dataDir.resolve("tokens"));
        tokens.load();
        return tokens;
    }

    @Override
    public Optional<UserId> authenticate(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        byte[] presented = sha256(token);
        UserId found = null;
        for (Entry e : byHashHex.values()) {
            if (MessageDigest.isEqual(e.hash(), presented)) {
                found = e.user();
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether no user has a token yet (a first start). */
    boolean isEmpty() {
        return byHashHex.isEmpty();
    }

    /** Creates a token for {@code user}, stores its hash, and returns the token: the only time it is seen. */
    synchronized String create(UserId user) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byte[] hash = sha256(token);
        byHashHex.put(HexFormat.of().formatHex(hash), new Entry(user, hash, Instant.now()));
        save();
        return token;
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\t");
                if (parts.length != 3 || parts[1].length() != 64) {
                    throw new ConfigException("The token file " + file + " has a line that is not "
                            + "'user<TAB>sha256-hex<TAB>created'; fix or remove it");
                }
                byHashHex.put(parts[1], new Entry(UserId.of(parts[0]), HexFormat.of().parseHex(parts[1]),
                        Instant.parse(parts[2])));
            }
        } catch (IOException e) {
            throw new ConfigException("Cannot read the token file " + file + ": " + e.getMessage());
        }
    }

    private void save() {
        List<String> lines = new ArrayList<>();
        lines.add("# chatstream API tokens: user, SHA-256 of the token, created. Tokens themselves are never stored.");
        byHashHex.forEach((hex, e) -> lines.add(e.user().value() + "\t" + hex + "\t" + e.created()));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "tokens", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort on non-POSIX file systems
            }
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the token file " + file, e);
        }
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
