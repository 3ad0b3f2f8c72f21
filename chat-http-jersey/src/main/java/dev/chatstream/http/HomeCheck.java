package dev.chatstream.http;

import java.util.Optional;

/** What {@code /api/ready} says about where homes come from: the store, or a Home Assistant that may be down. */
interface HomeCheck {
    /** For people: {@code stored home context} or {@code Home Assistant http://...}. */
    String describe();

    /** Empty when fine; otherwise what is wrong (chats go on with the stored homes meanwhile). */
    Optional<String> problem();
}
