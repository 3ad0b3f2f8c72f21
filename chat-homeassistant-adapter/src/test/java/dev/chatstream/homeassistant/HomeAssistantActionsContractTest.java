package dev.chatstream.homeassistant;

import dev.chatstream.core.Action;
import dev.chatstream.core.ActionExecutor;
import dev.chatstream.core.ActionExecutorContract;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

class HomeAssistantActionsContractTest extends ActionExecutorContract {
    private final FakeHomeAssistant ha = FakeHomeAssistant.start("good-token")
            .entity("light.sala", "Luz da sala", "Sala", "off");

    @AfterEach
    void stop() {
        ha.close();
    }

    @Override
    protected ActionExecutor executor() {
        return HomeAssistant.connect(HomeAssistantConfig.of(ha.baseUrl(), "good-token")).actions();
    }

    @Override
    protected Action allowedAction() {
        return new Action("homeassistant_call_service",
                Map.of("domain", "light", "service", "turn_on", "entity_id", "light.sala"));
    }

    @Override
    protected ActionExecutor executorWhoseBackendIsDown() {
        ActionExecutor executor = executor();
        ha.close();
        return executor;
    }
}
