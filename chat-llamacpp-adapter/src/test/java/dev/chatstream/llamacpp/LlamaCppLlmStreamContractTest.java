package dev.chatstream.llamacpp;

import dev.chatstream.core.LlmStream;
import dev.chatstream.core.LlmStreamContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The port contract, with llama.cpp replaced by a scripted engine behind the same seam. */
class LlamaCppLlmStreamContractTest extends LlmStreamContract {
    private ScriptedEngine latest;

    private LlmStream with(ScriptedEngine.Mode mode, List<String> pieces) {
        latest = new ScriptedEngine(mode, pieces);
        return new LlamaCppLlmStream(latest, LlamaCppConfig.defaults(Path.of("model.gguf")));
    }

    @Override
    protected LlmStream replying(List<String> pieces) {
        return with(ScriptedEngine.Mode.REPLY, pieces);
    }

    @Override
    protected LlmStream stallingBeforeFirstToken() {
        return with(ScriptedEngine.Mode.STALL_BEFORE, List.of());
    }

    @Override
    protected LlmStream stallingAfter(List<String> pieces) {
        return with(ScriptedEngine.Mode.STALL_AFTER, pieces);
    }

    @Override
    protected LlmStream failingBeforeFirstToken() {
        return with(ScriptedEngine.Mode.FAIL, List.of());
    }

    @Override
    protected boolean upstreamSawCancel(Duration timeout) {
        return latest.sawStop(timeout);
    }
}
