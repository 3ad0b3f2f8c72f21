package dev.chatstream.bench;

import dev.chatstream.core.SpeechSegmenter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Issue 23's measure: how soon a voice can start, from the first chunk of a reply, with chatstream's speech segments
 * against Home Assistant's rule (its voice pipeline hands the text to a streaming TTS once more than 60 characters
 * arrived, {@code STREAM_RESPONSE_CHARS}, and a shorter reply only at its end). Replayed, not timed: the replies are
 * the hand-written goldens of {@code chat-core}'s tests (Portuguese and English assistant replies), cut into tokens
 * the way an LLM streams them (a word in pieces of at most four characters, its space in front, punctuation apart)
 * and paced as the load scenarios are, one token every 20 ms, so the figures are exact and the same on every machine.
 */
final class SpeechFigures {
    static final long TOKEN_MS = 20;
    static final int HA_CHARS = 60;

    private SpeechFigures() {
    }

    /** The figures as a Markdown section. */
    static String markdown() {
        List<String> replies = replies();
        long[] ours = new long[replies.size()];
        long[] ha = new long[replies.size()];
        long[] oursChars = new long[replies.size()];
        int sooner = 0;
        int sentenceFirst = 0;
        int haMidWord = 0;
        int haMidSentence = 0;
        long tokens = 0;
        for (int r = 0; r < replies.size(); r++) {
            List<String> pieces = tokens(replies.get(r));
            tokens += pieces.size();
            SpeechSegmenter s = new SpeechSegmenter();
            StringBuilder text = new StringBuilder();
            long first = -1;
            long haAt = -1;
            String firstSegment = null;
            for (int i = 0; i < pieces.size(); i++) {
                text.append(pieces.get(i));
                List<String> got = s.feed(pieces.get(i));
                if (first < 0 && !got.isEmpty()) {
                    first = i * TOKEN_MS;
                    firstSegment = got.getFirst();
                }
                if (haAt < 0 && text.length() > HA_CHARS) {
                    haAt = i * TOKEN_MS;
                    String handed = text.toString();
                    int end = handed.length();
                    haMidWord += end < replies.get(r).length() && !Character.isWhitespace(replies.get(r).charAt(end))
                            && !Character.isWhitespace(handed.charAt(end - 1)) ? 1 : 0;
                    haMidSentence += handed.stripTrailing().matches("(?s).*[.!?…:]$") ? 0 : 1;
                }
            }
            long end = (pieces.size() - 1) * TOKEN_MS;
            if (first < 0) {
                List<String> rest = s.finish();
                first = end;
                firstSegment = rest.isEmpty() ? "" : rest.getFirst();
            }
            ours[r] = first;
            ha[r] = haAt < 0 ? end : haAt;
            oursChars[r] = firstSegment.length();
            sooner += ours[r] < ha[r] ? 1 : 0;
            sentenceFirst += firstSegment.matches("(?s).*[.!?…][)\"'”’»]*$") ? 1 : 0;
        }
        long cpu = cpuNanosPerToken(replies, tokens);
        List<Integer> plain = new ArrayList<>();
        int laterWithUrl = 0;
        long laterByTokens = 0;
        for (int r = 0; r < replies.size(); r++) {
            boolean url = replies.get(r).contains("://");
            if (!url) {
                plain.add(r);
            }
            if (ours[r] > ha[r]) {
                if (url) {
                    laterWithUrl++;
                } else {
                    laterByTokens = Math.max(laterByTokens, (ours[r] - ha[r]) / TOKEN_MS);
                }
            }
        }
        long[] oursPlain = plain.stream().mapToLong(r -> ours[r]).toArray();
        long[] haPlain = plain.stream().mapToLong(r -> ha[r]).toArray();
        int later = countLater(ours, ha);
        return "## Speech: time from the first chunk to the first speakable text\n\n"
                + "`bin/chat-bench --only=speech` (also in the full run; replayed, not timed: exact and the same on every "
                + "machine). " + replies.size() + " hand-written assistant replies in Portuguese and English "
                + "(`chat-core/src/test/resources/speech/`), " + tokens + " tokens, one every " + TOKEN_MS + " ms.\n\n"
                + "| rule | p50 | p90 | p99 | max |\n|---|---|---|---|---|\n"
                + row("chatstream's first `speech` segment", ours)
                + row("Home Assistant: more than " + HA_CHARS + " characters (or the reply's end)", ha)
                + row("chatstream, the " + plain.size() + " replies without a URL", oursPlain)
                + row("Home Assistant, the same " + plain.size(), haPlain)
                + "\nchatstream's first segment is sooner on " + sooner + " of " + replies.size() + " replies and later on "
                + later + ": " + laterWithUrl + " hold a URL (Home Assistant counts its characters and hands it to the TTS, "
                + "which reads it out; chatstream says only its host, once the sentence ends), the other "
                + (later - laterWithUrl) + " by at most " + laterByTokens + " token" + (laterByTokens == 1 ? "" : "s") + " (a sentence that ends just past "
                + HA_CHARS + " characters is said whole). It is "
                + "a whole sentence in " + sentenceFirst + " of them (the rest end at a list item, at a clause once "
                + SpeechSegmenter.FIRST_CLAUSE_CHARS + " characters long, before a conjunction once "
                + SpeechSegmenter.FIRST_CONJUNCTION_CHARS + ", or at a space once " + SpeechSegmenter.FIRST_WORD_CHARS + "), median "
                + median(oursChars) + " characters. Home Assistant's 60 characters end in the middle of a word in "
                + haMidWord + " replies and in the middle of a sentence in " + haMidSentence + " (the TTS then waits "
                + "or speaks a fragment). Cutting costs about " + cpu + " ns of CPU per token (one thread, this "
                + "machine, after a warm-up).\n";
    }

    private static int countLater(long[] ours, long[] ha) {
        int later = 0;
        for (int i = 0; i < ours.length; i++) {
            later += ours[i] > ha[i] ? 1 : 0;
        }
        return later;
    }

    private static String row(String rule, long[] ms) {
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        return "| " + rule + " | " + at(sorted, 0.5) + " ms | " + at(sorted, 0.9) + " ms | " + at(sorted, 0.99)
                + " ms | " + sorted[sorted.length - 1] + " ms |\n";
    }

    private static long at(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return at(sorted, 0.5);
    }

    private static long cpuNanosPerToken(List<String> replies, long tokens) {
        List<List<String>> all = replies.stream().map(SpeechFigures::tokens).toList();
        long best = Long.MAX_VALUE;
        int sink = 0;
        for (int round = 0; round < 30; round++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < 20; k++) {
                for (List<String> pieces : all) {
                    SpeechSegmenter s = new SpeechSegmenter();
                    for (String p : pieces) {
                        sink += s.feed(p).size();
                    }
                    sink += s.finish().size();
                }
            }
            best = Math.min(best, (System.nanoTime() - t0) / (20 * tokens));
        }
        return sink < 0 ? -1 : best;
    }

    /** A reply as an LLM streams it: each word in pieces of at most 4 characters, its space first, punctuation apart. */
    static List<String> tokens(String reply) {
        List<String> out = new ArrayList<>();
        StringBuilder space = new StringBuilder();
        int i = 0;
        while (i < reply.length()) {
            char c = reply.charAt(i);
            if (Character.isWhitespace(c)) {
                space.append(c);
                i++;
                continue;
            }
            int j = i;
            if (Character.isLetterOrDigit(c)) {
                while (j < reply.length() && j - i < 4 && Character.isLetterOrDigit(reply.charAt(j))) {
                    j++;
                }
            } else {
                j = reply.offsetByCodePoints(i, 1);
            }
            out.add(space + reply.substring(i, j));
            space.setLength(0);
            i = j;
        }
        if (!space.isEmpty()) {
            out.add(space.toString());
        }
        return out;
    }

    /** The golden replies (the text before each "~~>"). */
    static List<String> replies() {
        List<String> out = new ArrayList<>();
        for (String file : List.of("pt.txt", "en.txt")) {
            String text;
            try (InputStream in = SpeechFigures.class.getResourceAsStream("/speech/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("speech/" + file + " is not on the class path (chat-core's test-jar)");
                }
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            String[] blocks = text.split("\n=== ");
            for (int b = 1; b < blocks.length; b++) {
                String block = blocks[b];
                out.add(block.substring(block.indexOf('\n') + 1, block.indexOf("\n~~>\n")));
            }
        }
        return out;
    }
}
