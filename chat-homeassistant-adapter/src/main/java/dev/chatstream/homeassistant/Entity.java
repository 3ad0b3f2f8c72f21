package dev.chatstream.homeassistant;

/**
 * One Home Assistant entity as chatstream sees it.
 *
 * @param entityId e.g. {@code light.sala}
 * @param name     its friendly name, or the entity id when it has none
 * @param area     its area's name, empty when none or unknown
 */
record Entity(String entityId, String name, String area) {
    /** The part before the dot, e.g. {@code light}. */
    String domain() {
        return entityId.substring(0, entityId.indexOf('.'));
    }
}
