/**
 * The chat command: interactive chat, one-shot, serve and admin. The composition root. Filled by its own issue.
 */
package dev.chatstream.cli;
