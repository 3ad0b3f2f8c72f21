/**
 * The {@code chat} command (picocli, JLine): an interactive terminal chat, one-shot replies for scripts,
 * {@code chat serve} and the admin commands. It is the composition root: {@link dev.chatstream.cli.Chat} is
 * the entry point; the rest is package-private.
 */
package dev.chatstream.cli;
