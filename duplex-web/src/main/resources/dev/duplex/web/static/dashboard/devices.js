/**
 * The thermostat: its state, and commands (set-point, relay) that wait for the device's ack.
 * @module dashboard/devices
 */
import { $, errorText, fixed } from './page.js';

const THERMOSTAT = 'thermostat-1';
/** Where the thermostat publishes its state and its acks. */
export const DEVICE_CHANNEL = `devices:${THERMOSTAT}`;
const COMMAND_CHANNEL = `commands:${THERMOSTAT}`;
/** How long a device command may stay unanswered. */
const COMMAND_TIMEOUT = 10_000;

/**
 * Wires the thermostat's form and switch: each change is published to its command channel and
 * shown as pending until the device acknowledges it on DEVICE_CHANNEL (or fails after 10 s).
 * @param {DuplexClient} client
 * @returns {{onPublication: (data: any) => void}} for the publications of DEVICE_CHANNEL
 */
export function deviceControls(client) {
  const thermostatEl = $('thermostat');
  const statusEl = $('command-status');
  const setpointInput = $('setpoint-input');
  const relaySwitch = $('relay-switch');
  const commandPrefix = `dash-${Math.random().toString(36).slice(2, 8)}`;
  let commandSeq = 0;
  /** command id -> {describe, kind, timer} */
  const pendingCommands = new Map();
  let shownCommand = null;
  let setpointEdited = false;
  let deviceState = null;

  function setCommandStatus(status, id, text) {
    shownCommand = id;
    statusEl.dataset.status = status;
    statusEl.dataset.command = id || '';
    statusEl.textContent = text;
  }

  function sendCommand(fields, describe, kind) {
    const id = `${commandPrefix}-${++commandSeq}`;
    const entry = { describe, kind, timer: null };
    entry.timer = setTimeout(() => finishCommand(id, 'failed',
      `${describe}: no answer from ${THERMOSTAT} within ${COMMAND_TIMEOUT / 1000} s`), COMMAND_TIMEOUT);
    pendingCommands.set(id, entry);
    setCommandStatus('pending', id, `${describe}: pending…`);
    client.publish(COMMAND_CHANNEL, { id, ...fields }).then((ack) => {
      if (pendingCommands.has(id) && shownCommand === id) {
        setCommandStatus('pending', id, `${describe}: pending… (sent as offset ${ack.offset}, waiting for the device)`);
      }
    }, (e) => finishCommand(id, 'failed', `${describe}: not sent: ${errorText(e)}`));
    return id;
  }

  function finishCommand(id, status, text) {
    const entry = pendingCommands.get(id);
    if (!entry) return;
    pendingCommands.delete(id);
    clearTimeout(entry.timer);
    if (shownCommand === id) setCommandStatus(status, id, text);
    if (entry.kind === 'relay' && ![...pendingCommands.values()].some((c) => c.kind === 'relay')) {
      relaySwitch.disabled = false;
      if (deviceState) relaySwitch.checked = !!deviceState.relay;
    }
  }

  function applyDeviceState(data) {
    if (!data || typeof data !== 'object') return;
    if (deviceState && typeof deviceState.time === 'number' && typeof data.time === 'number' && data.time < deviceState.time) {
      return; // an older state from history
    }
    deviceState = data;
    $('dev-temperature').textContent = `${fixed(data.temperature, 2)} °C`;
    $('dev-setpoint').textContent = `${fixed(data.setpoint, 1)} °C`;
    $('dev-heating').textContent = data.heating ? 'on' : 'off';
    $('dev-relay').textContent = data.relay ? 'on' : 'off';
    thermostatEl.dataset.setpoint = String(data.setpoint);
    thermostatEl.dataset.relay = String(!!data.relay);
    thermostatEl.dataset.heating = String(!!data.heating);
    if (!setpointEdited && document.activeElement !== setpointInput && typeof data.setpoint === 'number') {
      setpointInput.value = String(data.setpoint);
    }
    if (!relaySwitch.disabled) relaySwitch.checked = !!data.relay;
  }

  function onDevicePublication(data) {
    applyDeviceState(data);
    const ack = data && data.ack;
    if (ack && typeof ack.id === 'string' && pendingCommands.has(ack.id)) {
      const entry = pendingCommands.get(ack.id);
      const message = ack.message || (ack.ok ? 'applied' : 'refused');
      finishCommand(ack.id, ack.ok ? 'applied' : 'refused', ack.ok ? `${entry.describe}: ${message}` : `${entry.describe}: refused: ${message}`);
    }
  }

  setpointInput.addEventListener('input', () => {
    setpointEdited = true;
    setpointInput.removeAttribute('aria-invalid');
  });
  $('setpoint-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const raw = setpointInput.value.trim();
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value)) {
      setpointInput.setAttribute('aria-invalid', 'true');
      setCommandStatus('failed', null, 'Enter the set-point as a number, e.g. 21.5');
      return;
    }
    setpointInput.removeAttribute('aria-invalid');
    // Out-of-range values go to the device anyway: it refuses them with its reason.
    sendCommand({ setpoint: value }, `Set-point ${value} °C`, 'setpoint');
  });
  relaySwitch.addEventListener('change', () => {
    const on = relaySwitch.checked;
    relaySwitch.disabled = true;
    sendCommand({ relay: on }, `Relay ${on ? 'on' : 'off'}`, 'relay');
  });

  return { onPublication: onDevicePublication };
}
