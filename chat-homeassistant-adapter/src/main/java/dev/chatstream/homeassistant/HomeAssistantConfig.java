package dev.chatstream.homeassistant;

import dev.chatstream.core.ConfigException;
import dev.chatstream.core.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How to reach one Home Assistant installation and what chatstream may do there.
 *
 * @param baseUrl   e.g. {@code http://homeassistant.local:8123}; http or https
 * @param token     a long-lived access token (Home Assistant: profile, Security); never logged or printed
 * @param timeout   longest wait for any one Home Assistant call
 * @param entityTtl how long the list of devices is reused before it is read again
 * @param policy    which devices are exposed and which services run, ask first, or are refused
 */
public record HomeAssistantConfig(URI baseUrl, String token, Duration timeout, Duration entityTtl,
        ActionPolicy policy) {
    public HomeAssistantConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(entityTtl, "entityTtl");
        Objects.requireNonNull(policy, "policy");
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("baseUrl must be an http:// or https:// URL, got " + baseUrl);
        }
        if (token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank: create a long-lived access token in "
                    + "Home Assistant (your profile, Security tab)");
        }
        if (timeout.isNegative() || timeout.isZero() || entityTtl.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive and entityTtl not negative");
        }
    }

    /** {@code homeassistant.url}: where Home Assistant listens; empty for none. */
    public static final Settings.Key URL = new Settings.Key("homeassistant.url", "");
    /** {@code homeassistant.token}: a long-lived access token. */
    public static final Settings.Key TOKEN = new Settings.Key("homeassistant.token", "");
    /** {@code homeassistant.policy.file}: which devices and services actions may use. */
    public static final Settings.Key POLICY_FILE = new Settings.Key("homeassistant.policy.file", "");
    /** {@code homeassistant.timeout.seconds}: the longest wait for one answer. */
    public static final Settings.Key TIMEOUT_SECONDS = new Settings.Key("homeassistant.timeout.seconds", "10");
    /** The settings this adapter reads. */
    public static final java.util.List<Settings.Key> KEYS = java.util.List.of(URL, TOKEN, POLICY_FILE,
            TIMEOUT_SECONDS);

    /**
     * The installation {@code settings} name; empty when {@code homeassistant.url} is not set.
     *
     * @throws ConfigException naming the key, its source and what to set when one is wrong or the token is missing
     */
    public static java.util.Optional<HomeAssistantConfig> from(Settings settings) {
        if (settings.text(URL).isBlank()) {
            return java.util.Optional.empty();
        }
        URI url = settings.url(URL, "http://homeassistant.local:8123");
        String token = settings.text(TOKEN);
        if (token.isBlank()) {
            throw new ConfigException(TOKEN.name() + " is needed with " + URL.name() + ": create a long-lived access "
                    + "token in Home Assistant (your profile, Security tab) and set it in " + TOKEN.envVar()
                    + " (or the configuration file; not as a flag, where other users of the machine see it)");
        }
        ActionPolicy policy = ActionPolicy.defaults();
        String file = settings.text(POLICY_FILE);
        if (!file.isBlank()) {
            try {
                policy = ActionPolicy.fromFile(java.nio.file.Path.of(file));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(POLICY_FILE.name() + ": " + e.getMessage());
            }
        }
        return java.util.Optional.of(of(url, token).withPolicy(policy).withTimes(
                Duration.ofSeconds(settings.integer(TIMEOUT_SECONDS, 1, 600)), Duration.ofMinutes(10)));
    }

    /** {@code baseUrl} and {@code token} with a 10 s timeout, a 10 min device list and the default policy. */
    public static HomeAssistantConfig of(URI baseUrl, String token) {
        return new HomeAssistantConfig(baseUrl, token, Duration.ofSeconds(10), Duration.ofMinutes(10),
                ActionPolicy.defaults());
    }

    /** A copy with another policy. */
    public HomeAssistantConfig withPolicy(ActionPolicy newPolicy) {
        return new HomeAssistantConfig(baseUrl, token, timeout, entityTtl, newPolicy);
    }

    /** A copy with other times. */
    public HomeAssistantConfig withTimes(Duration newTimeout, Duration newEntityTtl) {
        return new HomeAssistantConfig(baseUrl, token, newTimeout, newEntityTtl, policy);
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "HomeAssistantConfig[baseUrl=" + baseUrl + ", token=(hidden), timeout=" + timeout + ", entityTtl="
                + entityTtl + ", policy=" + policy + "]";
    }
}
