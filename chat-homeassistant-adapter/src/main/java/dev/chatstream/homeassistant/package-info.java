/**
 * Home Assistant over its REST API: {@link dev.chatstream.homeassistant.HomeAssistant} lists the exposed devices
 * for the prompt (merged with the user's stored aliases) and runs the actions the model asks for, within an
 * {@link dev.chatstream.homeassistant.ActionPolicy}.
 */
package dev.chatstream.homeassistant;
