package dev.chatstream.llamacpp;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp through {@code de.kherud:llama}: one model, loaded once, with {@code parallel} slots. llama.cpp's own
 * log (about 140 lines per load, and lines in the middle of an interactive reply) is off unless {@code llamacpp.log}
 * is on, then it goes to standard error: {@code LlamaModel.setLogger} has no effect in 4.2.0
 * (kherud/java-llama.cpp #101), so {@code --log-disable} is what turns it off.
 */
final class JllamaEngine implements LlamaEngine {
    private static final System.Logger LOG = System.getLogger(JllamaEngine.class.getName());

    private final LlamaModel model;

    JllamaEngine(LlamaCppConfig config) {
        ModelParameters parameters = new ModelParameters().setModel(config.model().toString())
                .setCtxSize(config.contextSize()).setParallel(config.parallel());
        this.model = load(config.log() ? parameters : parameters.disableLog());
    }

    /**
     * Loads the model, and with it (the first time) the native library, whose loader prints "Extracted
     * 'libjllama.so' to …" on standard output, where {@code chat "message"} prints only the reply (issue 27 item 9):
     * standard output is standard error while it loads. Nothing else prints then (the model loads before any reply).
     */
    private static synchronized LlamaModel load(ModelParameters parameters) {
        java.io.PrintStream out = System.out;
        System.setOut(System.err);
        try {
            return new LlamaModel(parameters);
        } finally {
            System.setOut(out);
        }
    }

    @Override
    public String prompt(List<ChatMessage> messages) {
        String system = "";
        List<Pair<String, String>> turns = new ArrayList<>();
        for (ChatMessage m : messages) {
            if (m.role() == Role.SYSTEM) {
                system = system.isEmpty() ? m.content() : system + "\n\n" + m.content();
            } else {
                turns.add(new Pair<>(m.role().wireName(), m.content()));
            }
        }
        return model.applyTemplate(new InferenceParameters("").setMessages(system, turns));
    }

    @Override
    public int tokenCount(String text) {
        return text.isEmpty() ? 0 : model.encode(text).length;
    }

    @Override
    public Generation generate(String prompt, int maxTokens, float temperature) {
        LlamaIterator it = model.generate(new InferenceParameters(prompt).setNPredict(maxTokens)
                .setTemperature(temperature).setCachePrompt(false)).iterator();
        return new Generation() {
            private volatile boolean stopped;
            private boolean ended;
            private int tokens;

            @Override
            public String next() {
                if (ended) {
                    return null;
                }
                if (!stopped && it.hasNext()) {
                    LlamaOutput out = it.next();
                    if (!stopped) {
                        tokens++;
                        return out.text;
                    }
                }
                ended = true;
                if (stopped) {
                    it.cancel(); // on the generating thread: frees the slot, nothing waits for the task
                } else if (tokens > 0) {
                    // llama.cpp's last output is its final result, not a token (its text, if any, is what it held
                    // back of the tokens before): 64 tokens at a limit of 64 come as 65 outputs
                    tokens--;
                }
                return null;
            }

            @Override
            public void stop() {
                stopped = true;
            }

            @Override
            public int tokens() {
                return tokens;
            }
        };
    }

    @Override
    public void close() {
        model.close();
    }
}
