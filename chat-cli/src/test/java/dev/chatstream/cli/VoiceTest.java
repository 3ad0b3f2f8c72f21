package dev.chatstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.EventSink;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VoiceTest {
    @TempDir
    Path dir;

    private final List<ChatEvent> printed = new ArrayList<>();
    private final EventSink printer = event -> printed.add(event);

    @Test
    void shouldSayEachSegmentInOrderAndWaitForTheLastOneOnClose() throws Exception {
        Path said = dir.resolve("said.txt");
        Path script = dir.resolve("say.sh");
        Files.writeString(script, "sleep 0.1; cat >> '" + said + "'\n");
        StringWriter notes = new StringWriter();

        try (Voice voice = new Voice("sh " + script, new PrintWriter(notes, true))) {
            EventSink sink = voice.over(printer);
            sink.send(new ChatEvent.Chunk("Olá! Está tudo "));
            sink.send(new ChatEvent.Chunk("*bem*? Sim."));
            sink.send(new ChatEvent.FinalText("Olá! Está tudo *bem*? Sim."));
        }

        assertThat(Files.readAllLines(said)).containsExactly("Olá!", "Está tudo bem?", "Sim.");
        assertThat(printed).as("the printer gets the reply, not the segments").hasSize(3)
                .noneMatch(ChatEvent.Speech.class::isInstance);
        assertThat(notes.toString()).isEmpty();
    }

    /** Found by a full build: a command failing while close() waited dropped the queue's end, and chat never exited. */
    @Test
    void shouldEndWhenTheCommandFailsWhileItIsClosing() throws Exception {
        Path script = dir.resolve("fail.sh");
        Files.writeString(script, "sleep 0.3; exit 1\n");
        StringWriter notes = new StringWriter();

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (Voice voice = new Voice("sh " + script, new PrintWriter(notes, true))) {
                EventSink sink = voice.over(printer);
                sink.send(new ChatEvent.Chunk("Olá! Tudo bem? Até já. "));
            } // closes while the first segment's command still runs, then fails
        });

        assertThat(notes.toString()).contains("exited with status 1", "--speak-command");
    }

    @Test
    void shouldStopSpeakingAtOnceWhenSilenced() throws Exception {
        Path said = dir.resolve("said.txt");
        Path script = dir.resolve("slow.sh");
        Files.writeString(script, "cat >> '" + said + "'; sleep 30\n");

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (Voice voice = new Voice("sh " + script, new PrintWriter(new StringWriter(), true))) {
                voice.over(printer).send(new ChatEvent.Chunk("Um. Dois. Três. Quatro. "));
                while (!Files.exists(said) || Files.readString(said).isEmpty()) {
                    Thread.sleep(20);
                }
                voice.silence(); // Ctrl-C: the one being said is cut, the rest dropped
            }
        });

        assertThat(Files.readAllLines(said)).containsExactly("Um.");
    }
}
