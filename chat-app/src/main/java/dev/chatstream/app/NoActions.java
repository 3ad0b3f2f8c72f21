package dev.chatstream.app;

import dev.chatstream.core.Action;
import dev.chatstream.core.ActionDecision;
import dev.chatstream.core.ActionExecutor;
import dev.chatstream.core.ActionStatus;
import dev.chatstream.core.UserId;

/** The executor when nothing can run actions (no Home Assistant configured): refuses every one, saying why. */
final class NoActions implements ActionExecutor {
    static final String WHY = "No Home Assistant is configured on this server (homeassistant.url), so no action can run";

    @Override
    public ActionDecision decide(UserId user, Action action) {
        return ActionDecision.refuse(WHY);
    }

    @Override
    public Outcome execute(UserId user, Action action) {
        return new Outcome(ActionStatus.FAILED, WHY);
    }
}
