package dev.chatstream.core;

import java.util.List;

/**
 * One user's home as the prompt describes it: their devices with names, areas and aliases.
 *
 * @param devices the user's devices, in the order they should be listed
 */
public record HomeContext(List<Device> devices) {
    private static final HomeContext EMPTY = new HomeContext(List.of());

    public HomeContext {
        Checks.notNull(devices, "devices");
        devices = List.copyOf(devices);
    }

    /** A home with no devices. */
    public static HomeContext empty() {
        return EMPTY;
    }
}
