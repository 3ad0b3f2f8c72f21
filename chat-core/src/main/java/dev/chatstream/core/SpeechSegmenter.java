package dev.chatstream.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cuts a reply into speakable segments as it streams, for a voice client (a text-to-speech engine speaks each as it
 * comes): {@link #feed} the reply's visible text piece by piece, then {@link #finish}. Knows Portuguese and English.
 *
 * <p>A segment ends at a sentence end ({@code . ! ? …}, with closing quotes or brackets), at a paragraph break, at the
 * end of a list item, a heading or a table row, and before a code block. The first segment also ends at a clause
 * boundary (a comma, semicolon, colon or spaced dash) once it has {@value #FIRST_CLAUSE_CHARS} characters, before a
 * conjunction (e, mas, ou, and, but...) once it has {@value #FIRST_CONJUNCTION_CHARS}, and at any space once it has
 * {@value #FIRST_WORD_CHARS}, unless its sentence ends within the next {@value #SENTENCE_NEAR_CHARS} characters: so
 * speech starts early, at a natural pause. A later segment ends at a clause only once it has
 * {@value #LONG_CLAUSE_CHARS} characters, and any segment at a space once it has {@value #MAX_CHARS}. A full stop is no sentence end after an abbreviation (Sr., Dra., e.g., p. ex.) or an
 * initial, inside a number (22.5 graus, 7.30, 1.000), or when the next word starts in lower case (etc. e mais);
 * an ellipsis followed by a lower-case word goes on.
 *
 * <p>What a voice must not read is left out: code blocks, Markdown marks ({@code ** _ # > - 1.} and the like, a
 * link's address, keeping its words), emoji, HTML tags, and a bare URL, spoken as its host ({@code example.org}).
 * Inline code is read as its text. Whitespace is folded to single spaces; segments have none at either end.
 *
 * <p>The segments do not depend on how the text was split into pieces: a boundary is decided only once the text
 * that decides it has arrived (one word after a full stop, say), so {@code feed}ing any split of a reply gives the
 * segments of {@link #segments(String)}, and their concatenation with single spaces is {@link #spoken(String)}. Not
 * thread-safe: one per reply.
 */
public final class SpeechSegmenter {
    /** A first segment may end at a clause boundary once it has this many characters. */
    public static final int FIRST_CLAUSE_CHARS = 24;
    /** A first segment may end before a conjunction (e, mas, and, but...) once it has this many characters. */
    public static final int FIRST_CONJUNCTION_CHARS = 32;
    /** A first segment may end at any space once it has this many characters. */
    public static final int FIRST_WORD_CHARS = 44;
    /** Neither ends it when its sentence ends within this many characters: the whole sentence sounds better. */
    static final int SENTENCE_NEAR_CHARS = 16;
    /** A later segment may end at a clause boundary once it has this many characters. */
    public static final int LONG_CLAUSE_CHARS = 200;
    /** Any segment ends at a space once it has this many characters. */
    public static final int MAX_CHARS = 400;

    /** Words after which a full stop never ends a sentence (lower case, without the stop). */
    private static final Set<String> ABBREVIATIONS = Set.of("sr", "sra", "srs", "sras", "srta", "dr", "dra", "drs",
            "dras", "prof", "profa", "profs", "eng", "arq", "av", "exmo", "exma", "mr", "mrs", "ms", "st", "jr", "e.g",
            "i.e", "cf", "vs", "aprox", "approx", "nº", "n.º", "fig", "vol", "cap", "pág", "pag", "pp", "tel", "ref",
            "séc", "d");
    /** Words a first segment may end before, once long enough: a pause there sounds natural. */
    private static final Set<String> CONJUNCTIONS = Set.of("e", "mas", "ou", "porque", "pois", "quando", "enquanto",
            "embora", "então", "and", "but", "or", "because", "when", "while", "so", "then");
    private static final String OPENERS_OF_BLOCKS = "-*+>#|";
    private static final String CLOSERS = ")]\"'”’»";
    private static final String MARKS = "*_`";
    /** Punctuation that takes no space before it. */
    private static final String TIGHT = ".,;:!?…)]»”";

    private final StringBuilder raw = new StringBuilder();
    private int from;
    private int emitted;

    /** The segments of a whole text, as a stream of it in any pieces would give them. */
    public static List<String> segments(String text) {
        SpeechSegmenter s = new SpeechSegmenter();
        List<String> all = new ArrayList<>(s.feed(Checks.notNull(text, "text")));
        all.addAll(s.finish());
        return all;
    }

    /** What a voice says for {@code text}: its segments joined by single spaces. */
    public static String spoken(String text) {
        return String.join(" ", segments(text));
    }

    /**
     * A sink that passes every event on to {@code next} and adds the reply's {@link ChatEvent.Speech} segments: each
     * right after the chunk that completed it, the last ones just before {@link ChatEvent.FinalText} (the reply's text
     * is complete then; or before {@link ChatEvent.Done}). A reply that fails or is stopped gets no segment for its
     * unfinished sentence. One per stream.
     */
    public static EventSink speaking(EventSink next) {
        Checks.notNull(next, "next");
        SpeechSegmenter segmenter = new SpeechSegmenter();
        return event -> {
            if (event instanceof ChatEvent.FinalText || event instanceof ChatEvent.Done) {
                if (!segmenter.say(next, segmenter.finish())) {
                    return false;
                }
                return next.send(event);
            }
            boolean delivered = next.send(event);
            if (delivered && event instanceof ChatEvent.Chunk c) {
                return segmenter.say(next, segmenter.feed(c.content()));
            }
            return delivered;
        };
    }

    private boolean say(EventSink next, List<String> segments) {
        int index = emitted - segments.size();
        for (String segment : segments) {
            if (!next.send(new ChatEvent.Speech(segment, index++))) {
                return false;
            }
        }
        return true;
    }

    /** Takes the next piece of the reply; returns the segments it completed, oldest first (often none). */
    public List<String> feed(CharSequence piece) {
        raw.append(Checks.notNull(piece, "piece"));
        return cut(false);
    }

    /** The reply is complete: returns its last segments (often one, maybe none). */
    public List<String> finish() {
        return cut(true);
    }

    /** How many segments this segmenter has given so far. */
    public int count() {
        return emitted;
    }

    private List<String> cut(boolean complete) {
        List<String> out = List.of();
        while (from < raw.length()) {
            Cut c = new Scan(raw, complete, emitted == 0).next(from);
            if (c == null) {
                break;
            }
            from = c.end();
            if (!c.text().isEmpty()) {
                if (out.isEmpty()) {
                    out = new ArrayList<>(2);
                }
                out.add(c.text());
                emitted++;
            }
        }
        return out;
    }

    /** A decided segment: the text to speak (maybe empty) and where in the raw text the next one starts. */
    private record Cut(int end, String text) {
    }

    /** Thrown inside a scan when what decides the next step has not arrived yet. */
    private static final class Wait extends RuntimeException {
        static final Wait INSTANCE = new Wait();

        private Wait() {
            super(null, null, false, false);
        }
    }

    /** One attempt to find the next segment from a start offset; keeps no state between attempts. */
    private static final class Scan {
        private static final int END = -1;

        private final CharSequence raw;
        private final int len;
        private final boolean complete;
        private final boolean first;
        private final StringBuilder out = new StringBuilder();
        private boolean pendingSpace;
        private boolean pendingComma;
        private boolean lineBlock;
        private boolean inCode;
        private int start;

        Scan(CharSequence raw, boolean complete, boolean first) {
            this.raw = raw;
            this.len = raw.length();
            this.complete = complete;
            this.first = first;
        }

        /** The char at {@code k}, {@link #END} past a complete text's end; throws {@link Wait} past what arrived. */
        private int at(int k) {
            if (k < len) {
                return raw.charAt(k);
            }
            if (complete) {
                return END;
            }
            throw Wait.INSTANCE;
        }

        Cut next(int from) {
            try {
                return scan(from);
            } catch (Wait w) {
                return null;
            }
        }

        private Cut scan(int from) {
            int i = from;
            while (i < len && Character.isWhitespace(raw.charAt(i))) {
                i++;
            }
            if (i >= len) {
                at(i); // waits unless complete
                return new Cut(len, "");
            }
            start = i;
            boolean lineStart = lineStartAt(i);
            while (true) {
                if (lineStart) {
                    lineStart = false;
                    int opened = openLine(i);
                    if (opened < 0) { // a block boundary before this line: the text so far is a segment
                        return cut(i);
                    }
                    if (skippedWholeLine) { // a code block or a rule, from the segment's start: nothing to say
                        return new Cut(opened, "");
                    }
                    i = opened;
                }
                int c = at(i);
                if (c == END) {
                    return cut(len);
                }
                char ch = (char) c;
                if (inCode) {
                    if (ch == '`') {
                        inCode = false;
                        i++;
                    } else if (ch == '\n') {
                        inCode = false;
                    } else {
                        if (Character.isWhitespace(ch)) {
                            space();
                        } else {
                            put(ch);
                        }
                        i++;
                    }
                    continue;
                }
                if (ch == '\n') {
                    if (newlineEnds(i)) {
                        return cut(i);
                    }
                    space();
                    i++;
                    lineStart = true;
                    continue;
                }
                if (Character.isWhitespace(ch)) {
                    if (out.length() >= MAX_CHARS) {
                        return cut(i);
                    }
                    if (first && !pendingSpace && out.length() >= FIRST_CONJUNCTION_CHARS
                            && (out.length() >= FIRST_WORD_CHARS || conjunctionAfter(i)) && !sentenceNear(i)) {
                        return cut(i);
                    }
                    space();
                    i++;
                    continue;
                }
                if (ch == '.' || ch == '!' || ch == '?' || ch == '…') {
                    Cut sentence = sentenceEnd(i);
                    if (sentence != null) {
                        return sentence;
                    }
                    i = afterRun;
                    continue;
                }
                if (ch == ',' || ch == ';' || ch == ':' || ((ch == '—' || ch == '–') && pendingSpace)) {
                    int n = at(i + 1);
                    put(ch);
                    i++;
                    if ((n == END || Character.isWhitespace(n)) && out.length() >= (first ? FIRST_CLAUSE_CHARS
                            : LONG_CLAUSE_CHARS)) {
                        return cut(i);
                    }
                    continue;
                }
                i = other(i, ch);
            }
        }

        /** Whether the word after the space at {@code i} is one of {@link #CONJUNCTIONS}. */
        private boolean conjunctionAfter(int i) {
            int j = i;
            while (at(j) == ' ' || at(j) == '\t') {
                j++;
            }
            int k = j;
            while (at(k) != END && Character.isLetter(at(k))) {
                k++;
            }
            if (k == j || (at(k) != END && !Character.isWhitespace(at(k)))) {
                return false;
            }
            return CONJUNCTIONS.contains(raw.subSequence(j, k).toString().toLowerCase(Locale.ROOT));
        }

        /** Whether a sentence end ({@code . ! ? …}) or the reply's end comes within {@link #SENTENCE_NEAR_CHARS}. */
        private boolean sentenceNear(int i) {
            for (int k = i + 1; k <= i + SENTENCE_NEAR_CHARS; k++) {
                int c = at(k);
                if (c == END || c == '.' || c == '!' || c == '?' || c == '…' || c == '\n') {
                    return true;
                }
            }
            return false;
        }

        private boolean skippedWholeLine;
        private int afterRun;

        /** Whether offset {@code i} begins a line (only spaces or tabs since the last newline, or the start). */
        private boolean lineStartAt(int i) {
            for (int k = i - 1; k >= 0; k--) {
                char c = raw.charAt(k);
                if (c == '\n') {
                    return true;
                }
                if (c != ' ' && c != '\t') {
                    return false;
                }
            }
            return true;
        }

        /**
         * Reads a line's opening marks at {@code i}: returns where its text starts (past a list marker, a heading's
         * {@code #}s, a quote's {@code >}), or -1 when a code block or a rule begins there and text came before it
         * (the segment ends before it). A code block, a rule or a table's separator row that starts the segment is
         * skipped whole: then {@link #skippedWholeLine} is set and the offset is where the scan goes on.
         */
        private int openLine(int i) {
            int k = i;
            while (at(k) == ' ' || at(k) == '\t') {
                k++;
            }
            int c = at(k);
            if ((c == '`' || c == '~') && at(k + 1) == c && at(k + 2) == c) {
                if (!blank()) {
                    return -1;
                }
                skippedWholeLine = true;
                return fenceEnd(k, (char) c);
            }
            if (c == '-' || c == '*' || c == '_' || c == '|') {
                int rule = ruleEnd(k);
                if (rule >= 0) {
                    if (!blank()) {
                        return -1;
                    }
                    skippedWholeLine = true;
                    return rule;
                }
            }
            while (at(k) == '>') {
                k++;
                while (at(k) == ' ') {
                    k++;
                }
            }
            c = at(k);
            if (c == '#') {
                int h = k;
                while (at(h) == '#') {
                    h++;
                }
                if (h - k <= 6 && (at(h) == ' ' || at(h) == END)) {
                    lineBlock = true;
                    return h;
                }
            }
            if ((c == '-' || c == '*' || c == '+') && at(k + 1) == ' ') {
                lineBlock = true;
                return k + 2;
            }
            if (c >= '0' && c <= '9') {
                int d = k;
                while (d - k < 3 && at(d) >= '0' && at(d) <= '9') {
                    d++;
                }
                if ((at(d) == '.' || at(d) == ')') && at(d + 1) == ' ') {
                    lineBlock = true;
                    return d + 2;
                }
            }
            if (c == '|') {
                lineBlock = true;
            }
            return k;
        }

        /** The offset of the newline that ends the code block opened at {@code k} (the text's end if none comes). */
        private int fenceEnd(int k, char fence) {
            int line = k;
            while (true) {
                int c = at(line);
                if (c == END) {
                    return len;
                }
                if (c == '\n') {
                    break;
                }
                line++;
            }
            while (true) { // line: the newline before the next line of the block
                int j = line + 1;
                while (at(j) == ' ' || at(j) == '\t') {
                    j++;
                }
                boolean closing = at(j) == fence && at(j + 1) == fence && at(j + 2) == fence;
                int e = j;
                while (at(e) != '\n' && at(e) != END) {
                    e++;
                }
                if (closing || at(e) == END) {
                    return at(e) == END ? len : e;
                }
                line = e;
            }
        }

        /**
         * The offset of the newline ending the line at {@code k} when it is a thematic break ({@code ---}, {@code ***})
         * or a table's separator row ({@code |---|:--|}); -1 when it is not. Decided as soon as a character rules
         * it out, so a list item does not wait for its line's end.
         */
        private int ruleEnd(int k) {
            char kind = (char) at(k);
            int marks = 0;
            for (int j = k; ; j++) {
                int c = at(j);
                if (c == '\n' || c == END) {
                    return marks >= 3 ? (c == END ? len : j) : -1;
                }
                if (kind == '|' ? c == '-' : c == kind) {
                    marks++;
                } else if (!(c == ' ' || c == '\t' || (kind == '|' && (c == '|' || c == ':')))) {
                    return -1;
                }
            }
        }

        /** Whether the newline at {@code i} ends the segment: a paragraph break, a block line's end, a block next. */
        private boolean newlineEnds(int i) {
            int j = i + 1;
            while (at(j) == ' ' || at(j) == '\t') {
                j++;
            }
            int c = at(j);
            if (c == END || c == '\n' || lineBlock) {
                return true;
            }
            if (OPENERS_OF_BLOCKS.indexOf(c) >= 0 || c == '`' || c == '~') {
                return true;
            }
            if (c >= '0' && c <= '9') {
                int d = j;
                while (d - j < 3 && at(d) >= '0' && at(d) <= '9') {
                    d++;
                }
                return (at(d) == '.' || at(d) == ')') && at(d + 1) == ' ';
            }
            return false;
        }

        /**
         * At a run of {@code . ! ? …} at {@code i}: the segment ending after it (with its closing quotes and brackets)
         * when it ends a sentence; otherwise null, with the run written out and {@link #afterRun} set past it.
         */
        private Cut sentenceEnd(int i) {
            int j = i;
            while (at(j) == '.' || at(j) == '!' || at(j) == '?' || at(j) == '…') {
                j++;
            }
            String run = raw.subSequence(i, j).toString();
            int closersEnd = j;
            boolean quoted = false;
            while (at(closersEnd) != END && (CLOSERS.indexOf(at(closersEnd)) >= 0 || MARKS.indexOf(at(closersEnd)) >= 0)) {
                quoted |= CLOSERS.indexOf(at(closersEnd)) >= 0;
                closersEnd++;
            }
            int n = at(closersEnd);
            boolean exclaims = run.indexOf('!') >= 0 || run.indexOf('?') >= 0;
            boolean ends;
            if (n == END) {
                ends = true;
            } else if (!Character.isWhitespace(n)) {
                ends = false;
            } else if (exclaims && !quoted) {
                ends = true; // no need to wait for the next word
            } else {
                int k = closersEnd;
                boolean newline = false;
                while (!newline && at(k) != END && Character.isWhitespace(at(k))) {
                    newline = at(k) == '\n'; // a sentence that ends its line ends: no need to read on
                    k++;
                }
                int next = newline ? END : at(k);
                boolean lower = next != END && Character.isLowerCase(next);
                boolean ellipsis = run.indexOf('…') >= 0 || run.startsWith("...");
                if (newline || next == END) {
                    ends = true;
                } else if (exclaims) {
                    ends = !(quoted && lower);
                } else if (ellipsis) {
                    ends = !lower;
                } else {
                    ends = !lower && !abbreviation(i);
                }
            }
            for (int k = i; k < closersEnd; k++) {
                char ch = raw.charAt(k);
                if (MARKS.indexOf(ch) < 0) {
                    put(ch);
                }
            }
            if (ends) {
                return cut(closersEnd);
            }
            afterRun = closersEnd;
            return null;
        }

        /** Whether the word before the full stop at {@code i} is an abbreviation or an initial. */
        private boolean abbreviation(int i) {
            int k = i;
            while (k > 0 && (Character.isLetterOrDigit(raw.charAt(k - 1)) || raw.charAt(k - 1) == '.'
                    || raw.charAt(k - 1) == 'º' || raw.charAt(k - 1) == 'ª')) {
                k--;
            }
            String word = raw.subSequence(k, i).toString();
            if (word.length() == 1 && Character.isLowerCase(word.charAt(0))) {
                return true; // "p." of "p. ex."
            }
            if (word.length() == 1 && Character.isUpperCase(word.charAt(0)) && !word.equals("D")) {
                // an initial beside another (J. K. Rowling), not "a opção B." ending a sentence
                boolean before = k >= 3 && raw.charAt(k - 1) == ' ' && raw.charAt(k - 2) == '.'
                        && Character.isUpperCase(raw.charAt(k - 3)) && (k == 3 || !Character.isLetter(raw.charAt(k - 4)));
                int n = i + 1;
                while (at(n) == ' ') {
                    n++;
                }
                boolean after = at(n) != END && Character.isUpperCase(at(n)) && at(n + 1) == '.';
                return before || after;
            }
            String lower = word.toLowerCase(Locale.ROOT);
            if (lower.equals("ex") && k >= 3 && raw.subSequence(k - 3, k).toString().equalsIgnoreCase("p. ")) {
                return true;
            }
            return ABBREVIATIONS.contains(lower);
        }

        /** Any other character at {@code i}: Markdown marks, links, URLs, emoji, tags, text. Returns the next offset. */
        private int other(int i, char ch) {
            switch (ch) {
                case '`' -> {
                    inCode = true;
                    int k = i;
                    while (at(k) == '`') {
                        k++;
                    }
                    return k;
                }
                case '*', '#', '\\' -> {
                    if (ch == '\\' && at(i + 1) != END && !Character.isWhitespace(at(i + 1))) {
                        put((char) at(i + 1));
                        return i + 2;
                    }
                    return i + 1;
                }
                case '_' -> {
                    int n = at(i + 1);
                    boolean inWord = out.length() > 0 && !pendingSpace
                            && Character.isLetterOrDigit(out.charAt(out.length() - 1))
                            && n != END && Character.isLetterOrDigit(n);
                    if (inWord) {
                        put(ch);
                    }
                    return i + 1;
                }
                case '~' -> {
                    if (at(i + 1) == '~') {
                        return i + 2;
                    }
                    put(ch);
                    return i + 1;
                }
                case '[' -> {
                    return i + 1;
                }
                case ']' -> {
                    if (at(i + 1) == '(') {
                        for (int k = i + 2; ; k++) {
                            int c = at(k);
                            if (c == ')') {
                                return k + 1;
                            }
                            if (c == END || Character.isWhitespace(c)) {
                                return i + 1;
                            }
                        }
                    }
                    return i + 1;
                }
                case '|' -> {
                    if (!blank()) {
                        pendingComma = true;
                    }
                    return i + 1;
                }
                case '<' -> {
                    int n = at(i + 1);
                    if (n != END && (Character.isLetter(n) || n == '/')) {
                        for (int k = i + 2; k < i + 42; k++) {
                            int c = at(k);
                            if (c == '>') {
                                space();
                                return k + 1;
                            }
                            if (c == END || c == '\n' || c == '<') {
                                break;
                            }
                        }
                    }
                    put(ch);
                    return i + 1;
                }
                default -> {
                    if ((ch == 'h' || ch == 'H') && !wordBefore()) {
                        int url = url(i);
                        if (url > i) {
                            return url;
                        }
                    }
                    int cp = ch;
                    int width = 1;
                    if (Character.isHighSurrogate(ch)) {
                        int low = at(i + 1);
                        if (low != END && Character.isLowSurrogate((char) low)) {
                            cp = Character.toCodePoint(ch, (char) low);
                            width = 2;
                        }
                    }
                    if (unspoken(cp)) {
                        if (Character.isExtendedPictographic(cp)) {
                            space();
                        }
                        return i + width;
                    }
                    for (int k = 0; k < width; k++) {
                        put(raw.charAt(i + k));
                    }
                    return i + width;
                }
            }
        }

        /** Past a URL at {@code i} ({@code http://} or {@code https://}), having written its host; {@code i} if none. */
        private int url(int i) {
            String[] schemes = {"https://", "http://"};
            for (String scheme : schemes) {
                boolean match = true;
                for (int k = 0; k < scheme.length(); k++) {
                    int c = at(i + k);
                    if (c == END || Character.toLowerCase(c) != scheme.charAt(k)) {
                        match = false;
                        break;
                    }
                }
                if (!match) {
                    continue;
                }
                int e = i + scheme.length();
                while (at(e) != END && !Character.isWhitespace(at(e)) && "<>\"".indexOf(at(e)) < 0) {
                    e++;
                }
                while (e > i + scheme.length() && ".,;:!?)]'\"".indexOf(raw.charAt(e - 1)) >= 0) {
                    e--;
                }
                String rest = raw.subSequence(i + scheme.length(), e).toString();
                String host = rest.split("[/?#:]", 2)[0];
                if (host.startsWith("www.")) {
                    host = host.substring(4);
                }
                for (int k = 0; k < host.length(); k++) {
                    put(host.charAt(k));
                }
                return e;
            }
            return i;
        }

        /** Whether a letter or digit comes right before the next character (no space in between). */
        private boolean wordBefore() {
            return out.length() > 0 && !pendingSpace && Character.isLetterOrDigit(out.charAt(out.length() - 1));
        }

        private static boolean unspoken(int cp) {
            return Character.isExtendedPictographic(cp) || Character.isEmojiModifier(cp)
                    || (cp >= 0x1F1E6 && cp <= 0x1F1FF) // regional indicators (flags)
                    || cp == 0xFE0F || cp == 0xFE0E || cp == 0x200D || cp == 0x20E3
                    || (cp >= 0xE0020 && cp <= 0xE007F); // tags
        }

        private boolean blank() {
            return out.isEmpty();
        }

        private void space() {
            if (!out.isEmpty()) {
                pendingSpace = true;
            }
        }

        private void put(char ch) {
            if (pendingComma && TIGHT.indexOf(ch) < 0) {
                out.append(',');
                pendingSpace = true;
            }
            pendingComma = false;
            if (pendingSpace && TIGHT.indexOf(ch) < 0 && !out.isEmpty()) {
                out.append(' ');
            }
            pendingSpace = false;
            out.append(ch);
        }

        private Cut cut(int end) {
            if (end <= start) {
                end = start + 1; // never stands still
            }
            return new Cut(end, out.toString().strip());
        }
    }
}
