package dev.chatstream.http;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that picks, from the configuration, which adapter modules are installed over the base wiring
 * ({@link ServerModule} for the server, the CLI's direct wiring): {@link LlamaCppModule} with
 * {@code llm = llamacpp}, {@link HomeAssistantModule} with {@code homeassistant.url}. Modules themselves have no
 * {@code if}s.
 */
public final class AdapterModules {
    private AdapterModules() {
    }

    /** The modules {@code config} asks for; empty for Ollama and the stored home context. */
    public static List<Module> chosenBy(ServerConfig config) {
        List<Module> out = new ArrayList<>();
        config.llamaCpp().ifPresent(l -> out.add(new LlamaCppModule(l)));
        config.homeAssistant().ifPresent(h -> out.add(new HomeAssistantModule(h)));
        return List.copyOf(out);
    }
}
