package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {
    private static final String NDJSON = "{\"a\":\"olá 😀\"}\r\n\n{\"b\":\"ção\"}\n   \n{\"c\":1}";

    /** An input stream that returns the given pieces, one per read. */
    private static InputStream pieces(List<byte[]> pieces) {
        return new InputStream() {
            private int index;
            private int offset;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                while (index < pieces.size() && offset == pieces.get(index).length) {
                    index++;
                    offset = 0;
                }
                if (index == pieces.size()) {
                    return -1;
                }
                byte[] piece = pieces.get(index);
                int n = Math.min(len, piece.length - offset);
                System.arraycopy(piece, offset, b, off, n);
                offset += n;
                return n;
            }
        };
    }

    private static List<String> lines(InputStream in, int limit) throws IOException {
        LineReader reader = new LineReader(in, limit);
        List<String> lines = new ArrayList<>();
        while (reader.next()) {
            lines.add(new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8));
        }
        return lines;
    }

    @Test
    void shouldGiveTheSameLinesForEverySplitOfTheBytes() throws IOException {
        byte[] bytes = NDJSON.getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("{\"a\":\"olá 😀\"}", "{\"b\":\"ção\"}", "{\"c\":1}");
        for (int i = 0; i <= bytes.length; i++) {
            for (int j = i; j <= bytes.length; j++) {
                List<byte[]> split = List.of(Arrays.copyOfRange(bytes, 0, i), Arrays.copyOfRange(bytes, i, j),
                        Arrays.copyOfRange(bytes, j, bytes.length));
                assertThat(lines(pieces(split), 1024)).as("split at %d, %d", i, j).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldGiveTheSameLinesOneByteAtATime() throws IOException {
        byte[] bytes = NDJSON.getBytes(StandardCharsets.UTF_8);
        List<byte[]> single = new ArrayList<>();
        for (byte b : bytes) {
            single.add(new byte[] {b});
        }

        assertThat(lines(pieces(single), 1024)).containsExactly("{\"a\":\"olá 😀\"}", "{\"b\":\"ção\"}", "{\"c\":1}");
    }

    @Test
    void shouldRefuseALineOverTheLimitWithoutHoldingIt() {
        byte[] big = new byte[5000];
        Arrays.fill(big, (byte) 'x');

        assertThatThrownBy(() -> lines(pieces(List.of(big)), 2048))
                .isInstanceOf(LineReader.LineTooLongException.class)
                .hasMessage("a line is longer than 2048 bytes");
    }

    @Test
    void shouldAcceptALineExactlyAtTheLimit() throws IOException {
        byte[] line = new byte[2048];
        Arrays.fill(line, (byte) 'y');

        assertThat(lines(pieces(List.of(line, new byte[] {'\n'})), 2048)).singleElement()
                .satisfies(l -> assertThat(l).hasSize(2048));
    }
}
