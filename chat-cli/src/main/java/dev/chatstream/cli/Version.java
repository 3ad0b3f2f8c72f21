package dev.chatstream.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code chat --version}: chatstream's version (from the build) and the Java running it. */
final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"chat (chatstream) " + version(), "Java " + Runtime.version() + " ("
                + System.getProperty("java.vendor", "unknown vendor") + ")"};
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return p.getProperty("version", "unknown");
    }
}
