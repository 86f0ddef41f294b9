/**
 * The sensors: a chart per measure with a series per room, the latest reading of each room, and
 * the counters of the page's delivery check.
 * @module dashboard/sensors
 */
import { LiveChart } from './charts.js';
import { $, errorText, fixed, showNotice } from './page.js';
import { StreamCheck, follow } from './streams.js';

const ROOMS = ['room-1', 'room-2', 'room-3'];
const ROOM_COLORS = ['#2f6fde', '#e4572e', '#1b9e77'];

/**
 * Makes the sensor charts and the table of latest readings.
 * @returns {{follow: (client: DuplexClient) => void, showCounters: () => void}} `follow` reads each
 *   room's history then follows it live; `showCounters` draws the delivery counters
 */
export function sensorPanel() {
  const roomSeries = ROOMS.map((room, i) => ({ label: `Room ${i + 1}`, color: ROOM_COLORS[i] }));
  const charts = {
    temperature: new LiveChart($('chart-temperature'), { series: roomSeries, unit: '°C', digits: 2 }),
    humidity: new LiveChart($('chart-humidity'), { series: roomSeries, unit: '%', digits: 1 }),
    co2: new LiveChart($('chart-co2'), { series: roomSeries, unit: 'ppm', digits: 0 }),
  };
  const sensorsEl = $('sensors');
  const counters = { live: 0, recovered: 0, duplicates: 0, gaps: 0, unrecoverable: 0 };

  function showCounters() {
    for (const [k, v] of Object.entries(counters)) sensorsEl.dataset[k] = String(v);
    $('count-live').textContent = String(counters.live);
    $('count-recovered').textContent = String(counters.recovered);
    $('count-duplicates').textContent = String(counters.duplicates);
    $('count-gaps').textContent = String(counters.gaps + counters.unrecoverable);
  }

  const nowRows = new Map();
  for (const [i, room] of ROOMS.entries()) {
    const tr = document.createElement('tr');
    tr.dataset.room = room;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = `Room ${i + 1}`;
    tr.append(th);
    const cells = {};
    for (const k of ['temperature', 'humidity', 'co2', 'time']) {
      const td = document.createElement('td');
      td.className = k === 'time' ? '' : 'num';
      td.textContent = '–';
      tr.append(td);
      cells[k] = td;
    }
    $('now-rows').append(tr);
    nowRows.set(room, cells);
  }

  function applyReading(room, data, live) {
    const i = ROOMS.indexOf(room);
    if (i < 0 || !data || typeof data.time !== 'number') return;
    const t = data.time / 1000;
    charts.temperature.put(t, i, data.temperature);
    charts.humidity.put(t, i, data.humidity);
    charts.co2.put(t, i, data.co2);
    const cells = nowRows.get(room);
    const shown = Number(cells.time.dataset.time || 0);
    if (data.time >= shown) {
      cells.time.dataset.time = String(data.time);
      cells.temperature.textContent = `${fixed(data.temperature, 2)} °C`;
      cells.humidity.textContent = `${fixed(data.humidity, 1)} %`;
      cells.co2.textContent = `${fixed(data.co2, 0)} ppm`;
      cells.time.textContent = new Date(data.time).toLocaleTimeString();
    }
    if (live) counters.live++;
  }

  function followRooms(client) {
    for (const room of ROOMS) {
      follow(client, `sensors:${room}`, (data, live) => applyReading(room, data, live),
        { check: new StreamCheck(counters, showCounters) })
        .catch((e) => showNotice(`sensors:${room}: ${errorText(e)}`));
    }
  }

  return { follow: followRooms, showCounters };
}
