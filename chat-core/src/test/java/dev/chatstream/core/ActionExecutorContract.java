package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ActionExecutor} must do, whatever it talks to. Model output is untrusted: no action
 * makes {@code decide} or {@code execute} throw, and a backend that is down is a failed outcome.
 */
public abstract class ActionExecutorContract {
    /** The user the actions are for. */
    protected static final UserId USER = UserId.of("admin");

    /** An executor whose backend is up. */
    protected abstract ActionExecutor executor();

    /** An action {@link #executor()} allows {@link #USER} to run without asking. */
    protected abstract Action allowedAction();

    /** An executor whose backend cannot be reached. */
    protected abstract ActionExecutor executorWhoseBackendIsDown();

    @Test
    void shouldRefuseAnUnknownToolWithItsName() {
        ActionDecision d = executor().decide(USER, new Action("format_disk", Map.of("disk", "/dev/sda")));

        assertThat(d.verdict()).isEqualTo(ActionDecision.Verdict.REFUSE);
        assertThat(d.message()).contains("format_disk");
    }

    @Test
    void shouldRefuseArgumentsItCannotReadWithoutThrowing() {
        List<Map<String, Object>> bad = List.of(Map.of(), Map.of("domain", 7L), Map.of("domain", List.of("x")),
                Map.of("entity_id", Map.of("a", "b")));
        for (Map<String, Object> args : bad) {
            ActionDecision d = executor().decide(USER, new Action(allowedAction().tool(), args));
            assertThat(d.verdict()).as("args %s", args).isEqualTo(ActionDecision.Verdict.REFUSE);
            assertThat(d.message()).as("args %s", args).isNotBlank();
        }
    }

    @Test
    void shouldRunAnAllowedAction() {
        ActionExecutor executor = executor();
        assertThat(executor.decide(USER, allowedAction()).verdict()).isEqualTo(ActionDecision.Verdict.RUN);

        ActionExecutor.Outcome outcome = executor.execute(USER, allowedAction());

        assertThat(outcome.status()).isEqualTo(ActionStatus.DONE);
        assertThat(outcome.message()).isNotBlank();
    }

    @Test
    void shouldReportABackendThatIsDownAsAFailedOutcome() {
        ActionExecutor.Outcome outcome = executorWhoseBackendIsDown().execute(USER, allowedAction());

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.message()).isNotBlank();
    }
}
