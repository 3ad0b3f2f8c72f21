package dev.chatstream.core;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides, cheaply and without I/O, whether a message needs the user's memories: a keyword heuristic in
 * Portuguese and English. "Lembras-te do meu aniversário?" does; "que horas são?" does not. A miss costs
 * a less personal answer; a false hit costs one memory lookup, so it leans towards recall.
 *
 * <p>{@link #normalise} is also the key caches use, so "Lembras-te do meu aniversário?" and "lembras te do
 * meu aniversario" are one query. Stateless and thread-safe.
 */
public final class MemoryRecall {
    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    /** Word starts: any word beginning with one of these counts ("lembras", "lembra-te", "remembered"). */
    private static final List<String> STEMS = List.of(
            "lembr", "recorda", "remember", "recall", "forget", "forgot", "esquec", "esqueci",
            "memori", "aniversari", "birthday", "anniversar", "favorit", "favourit", "preferid");

    /** Whole phrases, matched on word boundaries after normalisation. */
    private static final List<String> PHRASES = List.of(
            // Portuguese
            "o meu", "a minha", "os meus", "as minhas", "do meu", "da minha", "dos meus", "das minhas",
            "no meu", "na minha", "ao meu", "a minha", "meu nome", "ultima vez", "da outra vez", "te disse",
            "disse te", "eu disse", "te contei", "contei te", "sobre mim", "o que sabes", "o costume",
            "como sempre", "ja sabes", "sabes que eu",
            // English
            "my name", "my wife", "my husband", "my partner", "my son", "my daughter", "my kids", "my children",
            "my mother", "my mom", "my mum", "my father", "my dad", "my dog", "my cat", "my job", "my work",
            "my usual", "last time", "told you", "i said", "about me", "what do you know", "the usual",
            "as usual", "you know that i", "do you know my");

    private MemoryRecall() {
    }

    /** Whether {@code message} seems to refer to something the user said or is about before. */
    public static boolean needsMemories(String message) {
        String words = " " + normalise(message) + " ";
        for (String stem : STEMS) {
            if (words.contains(" " + stem)) {
                return true;
            }
        }
        for (String phrase : PHRASES) {
            if (words.contains(" " + phrase + " ")) {
                return true;
            }
        }
        return false;
    }

    /** Lower case, accents removed, every run of non-letters and non-digits one space, trimmed. */
    public static String normalise(String text) {
        String decomposed = Normalizer.normalize(text.toLowerCase(Locale.ROOT), Normalizer.Form.NFD);
        String unaccented = MARKS.matcher(decomposed).replaceAll("");
        return NON_WORD.matcher(unaccented).replaceAll(" ").strip();
    }
}
