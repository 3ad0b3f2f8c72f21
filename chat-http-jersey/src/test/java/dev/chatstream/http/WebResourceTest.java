package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The page's files: a fixed set, and nothing a stranger asks for is kept (security.md, finding 1 of issue 22). */
class WebResourceTest {
    private final WebResource web = new WebResource();

    @Test
    void shouldServeEveryFileOfThePageAndOnlyThose() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/dev/chatstream/http/web"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("every file in web/ is served, none is forgotten").containsExactlyInAnyOrderElementsOf(WebResource.ASSETS);
        }
        for (String name : WebResource.ASSETS) {
            assertThat(web.asset(name).getStatus()).isEqualTo(200);
        }
    }

    @Test
    void shouldHoldNothingMoreForNamesThatAreNotThere() {
        for (int i = 0; i < 10_000; i++) {
            String name = "nope-" + i + ".js";
            assertThatThrownBy(() -> web.asset(name)).isInstanceOf(NotFoundException.class);
        }

        assertThat(web.held()).isEqualTo(WebResource.ASSETS.size());
    }
}
