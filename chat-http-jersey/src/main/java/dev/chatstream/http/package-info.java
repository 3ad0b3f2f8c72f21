/**
 * The Server-Sent Events chat API on Jersey and Grizzly. Filled by its own issue.
 */
package dev.chatstream.http;
