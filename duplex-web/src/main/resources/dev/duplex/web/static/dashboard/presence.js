/**
 * Presence: who else is on the page, from the lobby channel's presence and join/leave events.
 * @module dashboard/presence
 */
import { $, errorText, showNotice } from './page.js';

const LOBBY = 'lobby';

/**
 * Subscribes to the lobby and keeps its member list: the full list after every (re)subscribe,
 * then joins and leaves.
 * @param {DuplexClient} client
 * @returns {{render: () => void}} redraws the list (this connection first, marked "you")
 */
export function presencePanel(client) {
  const presenceEl = $('presence');
  const members = new Map();

  function renderPresence() {
    const me = client.state === 'open' ? client.clientId : null;
    const list = $('presence-list');
    const ids = [...members.keys()].sort((a, b) => (a === me ? -1 : b === me ? 1 : a.localeCompare(b)));
    list.replaceChildren(...ids.map((id) => {
      const li = document.createElement('li');
      li.dataset.client = id;
      const info = members.get(id);
      const name = document.createElement('span');
      name.textContent = info && info.user ? `${info.user} (${id})` : id;
      li.append(name);
      if (id === me) {
        li.dataset.you = 'true';
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = 'you';
        li.append(badge);
      }
      return li;
    }));
    presenceEl.dataset.count = String(members.size);
    const others = members.size - (me && members.has(me) ? 1 : 0);
    $('presence-summary').textContent = client.state !== 'open'
      ? 'Offline: the list is from before the connection dropped.'
      : `${members.size} here (${others === 0 ? 'just you' : `you and ${others} other${others === 1 ? '' : 's'}`})`;
  }

  function refreshPresence() {
    client.presence(LOBBY).then((r) => {
      members.clear();
      for (const c of r.clients) if (c && c.client) members.set(c.client, c);
      renderPresence();
    }, (e) => showNotice(`Presence of ${LOBBY}: ${errorText(e)}`));
  }

  const lobby = client.subscribe(LOBBY);
  lobby.on('subscribed', refreshPresence);
  lobby.on('join', (e) => {
    if (e.info && e.info.client) {
      members.set(e.info.client, e.info);
      renderPresence();
    }
  });
  lobby.on('leave', (e) => {
    if (e.info && e.info.client) {
      members.delete(e.info.client);
      renderPresence();
    }
  });
  lobby.on('error', (e) => showNotice(`${LOBBY}: ${errorText(e)}`));

  return { render: renderPresence };
}
