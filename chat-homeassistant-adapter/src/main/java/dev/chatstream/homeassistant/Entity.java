package dev.chatstream.homeassistant;

/**
 * One Home Assistant entity as chatstream sees it.
 *
 * @param entityId e.g. {@code light.sala}
 * @param name     its friendly name, or the entity id when it has none
 * @param area     its area's name, empty when none or unknown
 */
record Entity(String entityId, String name, String area) {
    /**
     * Names as Home Assistant gave them, cleaned: anyone who can name a device (an HA user, MQTT discovery, a device
     * that names itself) chooses them, and they reach every prompt and every action's message.
     */
    Entity {
        name = dev.chatstream.core.PromptText.clean(name);
        area = dev.chatstream.core.PromptText.clean(area);
    }

    /** The part before the dot, e.g. {@code light}. */
    String domain() {
        return entityId.substring(0, entityId.indexOf('.'));
    }
}
