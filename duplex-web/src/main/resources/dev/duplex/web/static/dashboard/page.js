/**
 * What every part of the dashboard uses: elements by id, formatting, and the notice line.
 * @module dashboard/page
 */

/** How often charts and the frame log are redrawn at most. */
export const REDRAW_MS = 250;

/** The element with this id; throws when index.html lacks it. */
export const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} is missing from index.html`);
  return el;
};

/** A CSS custom property of the page, or `fallback`. */
export function cssVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function pad(n, width = 2) {
  return String(n).padStart(width, '0');
}

/** HH:MM:SS.mmm of an epoch-ms time. */
export function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** An error's message and code, for the page. */
export function errorText(e) {
  if (!e) return 'unknown error';
  const code = e.code != null ? ` (${e.code})` : '';
  return `${e.message || String(e)}${code}`;
}

/** A number with `digits` decimals, or a dash. */
export function fixed(v, digits) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

const notice = $('notice');

/** Shows a problem at the top of the page. */
export function showNotice(text) {
  notice.textContent = text;
  notice.hidden = false;
}

export function clearNotice() {
  notice.hidden = true;
  notice.textContent = '';
}
