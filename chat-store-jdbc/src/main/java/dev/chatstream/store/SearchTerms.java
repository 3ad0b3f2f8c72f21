package dev.chatstream.store;

import dev.chatstream.core.MemoryRecall;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The words of a message worth searching memories for: normalised as memories are indexed (lower case, no
 * accents, letters and digits only), three letters or more, without the commonest Portuguese and English
 * words and without the words that only ask to remember. Only letters and digits survive, so nothing of a
 * message can act as search syntax.
 */
final class SearchTerms {
    private static final int MAX_TERMS = 32;
    private static final Set<String> STOP = Set.of(
            // Portuguese
            "que", "para", "com", "uma", "uns", "umas", "nao", "sim", "mas", "por", "dos", "das", "nos", "nas",
            "meu", "minha", "meus", "minhas", "teu", "tua", "teus", "tuas", "seu", "sua", "seus", "suas", "ele",
            "ela", "eles", "elas", "isso", "isto", "esse", "essa", "este", "esta", "aquele", "aquela", "como",
            "quando", "onde", "qual", "quais", "quem", "sao", "foi", "ser", "estar", "tem", "ter", "mais",
            "muito", "pelo", "pela", "ate", "tambem", "sobre", "voce", "vos", "sabes", "disse", "lembras",
            "lembra", "lembrar", "lembrate", "recordas", "recorda", "esqueceste", "esqueci", "favor",
            // English
            "the", "and", "you", "your", "what", "when", "where", "which", "who", "how", "are", "was", "were",
            "for", "with", "that", "this", "have", "has", "had", "not", "but", "can", "did", "does", "about",
            "from", "they", "them", "their", "there", "its", "our", "she", "his", "her", "him", "will", "would",
            "could", "should", "know", "tell", "remember", "recall", "forget", "forgot", "please", "any", "all");

    private SearchTerms() {
    }

    static List<String> of(String message) {
        Set<String> terms = new LinkedHashSet<>();
        for (String word : MemoryRecall.normalise(message).split(" ")) {
            if (word.length() >= 3 && !STOP.contains(word)) {
                terms.add(word);
            }
            if (terms.size() == MAX_TERMS) {
                break;
            }
        }
        return List.copyOf(terms);
    }

    /**
     * An FTS5 query: any of the terms, each a quoted string. SQLite has no Portuguese stemmer, so a longer
     * term loses a plural {@code s} and a final vowel and matches as a prefix: "gosto" finds "gosta",
     * "gatos" finds "gato", "birthdays" finds "birthday".
     */
    static String fts5(List<String> terms) {
        return terms.stream().map(SearchTerms::fts5Term).collect(Collectors.joining(" OR "));
    }

    private static String fts5Term(String term) {
        String stem = term;
        if (stem.length() > 4 && stem.endsWith("s")) {
            stem = stem.substring(0, stem.length() - 1);
        }
        if (stem.length() > 4 && "aeo".indexOf(stem.charAt(stem.length() - 1)) >= 0) {
            stem = stem.substring(0, stem.length() - 1);
        }
        return stem.length() >= 4 ? "\"" + stem + "\"*" : "\"" + term + "\"";
    }

    /** A tsquery text: any of the terms. */
    static String tsquery(List<String> terms) {
        return String.join(" | ", terms);
    }
}
