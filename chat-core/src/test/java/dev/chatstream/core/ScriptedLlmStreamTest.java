package dev.chatstream.core;

import java.time.Duration;
import java.util.List;

/** The scripted fake obeys the same contract as the real adapters. */
class ScriptedLlmStreamTest extends LlmStreamContract {
    private ScriptedLlmStream latest;

    private LlmStream keep(ScriptedLlmStream stream) {
        latest = stream;
        return stream;
    }

    @Override
    protected LlmStream replying(List<String> pieces) {
        return keep(ScriptedLlmStream.replying(pieces.toArray(String[]::new)));
    }

    @Override
    protected LlmStream stallingBeforeFirstToken() {
        return keep(ScriptedLlmStream.script().stall().build());
    }

    @Override
    protected LlmStream stallingAfter(List<String> pieces) {
        return keep(ScriptedLlmStream.script().text(pieces.toArray(String[]::new)).stall().build());
    }

    @Override
    protected LlmStream failingBeforeFirstToken() {
        return keep(ScriptedLlmStream.script()
                .fail(new TransientException(ErrorCode.LLM_BUSY, "The LLM server is busy")).build());
    }

    @Override
    protected boolean upstreamSawCancel(Duration timeout) {
        return latest.awaitCancelled(timeout);
    }
}
