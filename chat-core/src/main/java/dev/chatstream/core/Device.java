package dev.chatstream.core;

import java.util.List;

/**
 * One device of a user's home, as the model sees it.
 *
 * @param entityId the id actions must use, e.g. {@code climate.sala}
 * @param name     its friendly name, e.g. "Ar condicionado da sala"
 * @param area     where it is, e.g. "Sala"; empty if unknown
 * @param aliases  other names the user calls it, e.g. "ar da sala"
 */
public record Device(String entityId, String name, String area, List<String> aliases) {
    public Device {
        Checks.notNull(entityId, "entityId");
        Checks.notNull(name, "name");
        Checks.notNull(area, "area");
        Checks.notNull(aliases, "aliases");
        if (entityId.isBlank()) {
            throw new IllegalArgumentException("device entityId must not be blank");
        }
        aliases = List.copyOf(aliases);
    }
}
