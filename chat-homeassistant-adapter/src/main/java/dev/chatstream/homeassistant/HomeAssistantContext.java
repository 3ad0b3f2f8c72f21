package dev.chatstream.homeassistant;

import dev.chatstream.core.Device;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.PromptContextSource;
import dev.chatstream.core.UserId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The prompt's home from Home Assistant: every exposed entity (id, friendly name, area), with the aliases (and,
 * when Home Assistant has none, the area) from the user's stored home context; a stored name that differs from
 * Home Assistant's becomes an alias. Stored devices Home Assistant
 * does not expose are left out: the model must not be offered what cannot run. When Home Assistant cannot be
 * read and no earlier list exists, the stored home is used as it is, so chats go on. No live states.
 */
final class HomeAssistantContext implements PromptContextSource {
    private static final System.Logger LOG = System.getLogger(HomeAssistantContext.class.getName());

    private final String basePrompt;
    private final HomeContextStore homes;
    private final EntityDirectory directory;

    HomeAssistantContext(String basePrompt, HomeContextStore homes, EntityDirectory directory) {
        this.basePrompt = basePrompt;
        this.homes = homes;
        this.directory = directory;
    }

    @Override
    public String baseSystemPrompt() {
        return basePrompt;
    }

    @Override
    public HomeContext homeContext(UserId user) {
        HomeContext stored = homes.homeContext(user);
        Map<String, Entity> entities;
        try {
            entities = directory.entities();
        } catch (HomeAssistantException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Home of " + user + " from the store only: " + e.getMessage());
            return stored;
        }
        Map<String, Device> byId = new HashMap<>();
        for (Device d : stored.devices()) {
            byId.put(d.entityId(), d);
        }
        List<Device> devices = new ArrayList<>(entities.size());
        for (Entity e : entities.values()) {
            Device known = byId.get(e.entityId());
            String area = !e.area().isEmpty() ? e.area() : known != null ? known.area() : "";
            List<String> aliases = new ArrayList<>();
            if (known != null) {
                if (!known.name().isBlank() && !known.name().equals(e.name())) {
                    aliases.add(known.name()); // the user's own name for it
                }
                known.aliases().stream().filter(a -> !aliases.contains(a)).forEach(aliases::add);
            }
            devices.add(new Device(e.entityId(), e.name(), area, aliases));
        }
        return new HomeContext(devices);
    }
}
