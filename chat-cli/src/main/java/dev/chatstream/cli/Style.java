package dev.chatstream.cli;

/** ANSI styles, or plain text when colours are off (not a terminal, {@code NO_COLOR}, {@code TERM=dumb}). */
record Style(boolean on) {
    String dim(String text) {
        return wrap("\u001b[2m", text);
    }

    String error(String text) {
        return wrap("\u001b[31m", text);
    }

    String action(String text) {
        return wrap("\u001b[1;36m", text);
    }

    String prompt(String text) {
        return wrap("\u001b[1;32m", text);
    }

    private String wrap(String code, String text) {
        return on ? code + text + "\u001b[0m" : text;
    }
}
