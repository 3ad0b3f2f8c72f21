package dev.chatstream.homeassistant;

import dev.chatstream.core.Action;
import dev.chatstream.core.ActionDecision;
import dev.chatstream.core.ActionExecutor;
import dev.chatstream.core.ActionStatus;
import dev.chatstream.core.UserId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs {@code homeassistant_call_service} actions ({@code POST /api/services/<domain>/<service>}) within the
 * {@link ActionPolicy}. An action runs only when: the tool is {@code homeassistant_call_service}; domain, service
 * and one entity id are plain names; the entity belongs to that domain, is exposed, and exists in Home
 * Assistant; the service is on the user's allow-list; a high-impact domain is one the policy lets this user ask
 * for; every other argument is on the service's list and within its bounds; and no other target (area, device,
 * floor, label) widens it. Actions in the policy's {@code confirm} and {@code high_impact} domains wait for the
 * user. Thread-safe.
 */
final class HomeAssistantActions implements ActionExecutor {
    static final String TOOL = "homeassistant_call_service";
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");
    private static final Pattern ENTITY = Pattern.compile("[a-z0-9_]{1,64}\\.[a-z0-9_]{1,128}");
    /** Service-call keys that would aim the call at more than the one entity checked. */
    private static final Set<String> OTHER_TARGETS = Set.of("target", "area_id", "device_id", "floor_id",
            "label_id");

    private final HomeAssistantClient client;
    private final EntityDirectory directory;
    private final ActionPolicy policy;

    HomeAssistantActions(HomeAssistantClient client, EntityDirectory directory, ActionPolicy policy) {
        this.client = client;
        this.directory = directory;
        this.policy = policy;
    }

    /** The three names an action is about, once they were read. */
    private record Call(String domain, String service, String entityId) {
        String describe() {
            return domain + "." + service + " on " + entityId;
        }
    }

    @Override
    public ActionDecision decide(UserId user, Action action) {
        if (!action.tool().equals(TOOL)) {
            return ActionDecision.refuse("Unknown tool \"" + clip(action.tool()) + "\": only " + TOOL
                    + " can run here");
        }
        Object domain = action.args().get("domain");
        Object service = action.args().get("service");
        Object entity = action.args().get("entity_id");
        if (!(domain instanceof String d) || !NAME.matcher(d).matches()) {
            return ActionDecision.refuse("The action needs \"domain\", a Home Assistant domain such as \"light\"; got "
                    + shown(domain));
        }
        if (!(service instanceof String s) || !NAME.matcher(s).matches()) {
            return ActionDecision.refuse("The action needs \"service\", a service name such as \"turn_on\"; got "
                    + shown(service));
        }
        if (!(entity instanceof String e) || !ENTITY.matcher(e).matches()) {
            return ActionDecision.refuse("The action needs \"entity_id\", one device such as \"light.sala\"; got "
                    + shown(entity));
        }
        for (String key : action.args().keySet()) {
            if (OTHER_TARGETS.contains(key)) {
                return ActionDecision.refuse("The action names \"" + key + "\" besides entity_id; only one device "
                        + "per action can run");
            }
        }
        Call call = new Call(d, s, e);
        if (!e.startsWith(d + ".")) {
            return ActionDecision.refuse(e + " is not a " + d + " device: a " + d + " service may act only on "
                    + d + ".* devices");
        }
        Set<String> allowed = policy.allowed(user.value(), d);
        if (!allowed.contains(s)) {
            return ActionDecision.refuse(d + "." + s + " is not allowed for user " + user.value()
                    + (allowed.isEmpty() ? " (no " + d + " service is)" : " (allowed: " + String.join(", ", allowed)
                    + ")") + "; an administrator can change this in the Home Assistant policy");
        }
        if (policy.withholds(user.value(), d)) {
            return ActionDecision.refuse(d + "." + s + " is high-impact: only the users the Home Assistant policy "
                    + "names in \"high_impact_users\" may ask for " + d + " actions, and then only with confirmation; "
                    + "an administrator can add " + user.value());
        }
        Map<String, Object> rest = new LinkedHashMap<>(action.args());
        rest.keySet().removeAll(Set.of("domain", "service", "entity_id"));
        java.util.Optional<String> badArgument = policy.argumentProblem(d, s, rest);
        if (badArgument.isPresent()) {
            return ActionDecision.refuse(badArgument.get());
        }
        if (!policy.exposes(e)) {
            return ActionDecision.refuse(e + " is not exposed to chatstream (the policy's \"expose\" list)");
        }
        Entity known;
        try {
            known = directory.entities().get(e);
        } catch (HomeAssistantException x) {
            return ActionDecision.refuse("Could not check that " + e + " exists, so nothing was done: "
                    + x.getMessage());
        }
        if (known == null) {
            return ActionDecision.refuse("There is no device " + e + " in Home Assistant");
        }
        String what = call.describe() + " (" + known.name() + ")";
        return policy.needsConfirmation(d, e) ? ActionDecision.confirm(what) : ActionDecision.run(what);
    }

    @Override
    public Outcome execute(UserId user, Action action) {
        Map<String, Object> data = new LinkedHashMap<>(action.args());
        if (!(data.remove("domain") instanceof String domain) || !(data.remove("service") instanceof String service)
                || !NAME.matcher(domain).matches() || !NAME.matcher(service).matches()) {
            return new Outcome(ActionStatus.FAILED, "Not run: the action was not checked first (no valid domain and "
                    + "service)");
        }
        String what = domain + "." + service + " on " + action.args().get("entity_id");
        try {
            client.callService(domain, service, data);
            return new Outcome(ActionStatus.DONE, "Home Assistant ran " + what);
        } catch (HomeAssistantException e) {
            if (e.getCause() instanceof java.net.http.HttpTimeoutException) {
                // Home Assistant has no time limit on a service call and finishes it although we gave up
                // (home-assistant/core components/api/__init__.py): never report it as not run, never retry it
                Object entity = action.args().get("entity_id");
                return new Outcome(ActionStatus.UNKNOWN, e.getMessage() + "; it may still have run (Home Assistant "
                        + "finishes a call even when chatstream stopped waiting): check " + entity
                        + " before asking again" + stateNow(entity));
            }
            return new Outcome(ActionStatus.FAILED, e.getMessage());
        }
    }

    /** What Home Assistant says the device is now, read once, quickly; nothing when it cannot say. */
    private String stateNow(Object entity) {
        if (!(entity instanceof String id) || !ENTITY.matcher(id).matches()) {
            return "";
        }
        try {
            String state = client.state(id);
            return state.isEmpty() ? "" : " (just after, Home Assistant said it was \"" + clip(state) + "\")";
        } catch (HomeAssistantException e) {
            return "";
        }
    }

    private static String shown(Object value) {
        return switch (value) {
            case null -> "nothing";
            case String s -> "\"" + clip(s) + "\"";
            case List<?> l -> "a list";
            case Map<?, ?> m -> "an object";
            default -> clip(value.toString());
        };
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
