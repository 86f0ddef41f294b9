/**
 * Live charts on uPlot.
 * @module dashboard/charts
 */
import uPlot from '/vendor/uplot/uPlot.esm.js';
import { REDRAW_MS, cssVar } from './page.js';

/** Points kept per chart (the sensors' history holds 300 readings per room). */
const POINTS = 300;

/**
 * A uPlot chart of a few series sharing a time axis, fed point by point, in any order (history and
 * live), at most `limit` points: the oldest go first, so memory stays flat however long the page
 * stays open. Redraws at most every REDRAW_MS; follows its container's width.
 */
export class LiveChart {
  constructor(el, { series, unit, digits = 1, height = 200, limit = POINTS }) {
    this.el = el;
    this.limit = limit;
    this.height = height;
    this.x = [];
    this.ys = series.map(() => []);
    this.timer = null;
    this.width = Math.max(200, Math.floor(el.clientWidth) || 300);
    const muted = cssVar('--muted', '#5a6478');
    const line = cssVar('--line', '#d9dee8');
    const axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
    this.plot = new uPlot({
      width: this.width,
      height,
      scales: { x: { time: true } },
      cursor: { drag: { x: false, y: false } },
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          spanGaps: true,
          points: { show: false },
          value: (u, v) => (v == null ? '–' : `${v.toFixed(digits)} ${unit}`),
        })),
      ],
      axes: [axis, { ...axis, size: 52 }],
    }, [this.x, ...this.ys], el);
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => this.resize()).observe(el);
    } else {
      window.addEventListener('resize', () => this.resize());
    }
  }

  /** Sets series `i` at time `t` (seconds), inserting the time in order when it is new. */
  put(t, i, value) {
    if (typeof t !== 'number' || !Number.isFinite(t)) return;
    const v = typeof value === 'number' && Number.isFinite(value) ? value : null;
    const x = this.x;
    let j = x.length - 1;
    while (j >= 0 && x[j] > t) j--;
    if (j >= 0 && x[j] === t) {
      this.ys[i][j] = v;
    } else {
      if (x.length >= this.limit && j < 0) return; // older than everything kept: would be dropped at once
      x.splice(j + 1, 0, t);
      this.ys.forEach((y, k) => y.splice(j + 1, 0, k === i ? v : null));
      const excess = x.length - this.limit;
      if (excess > 0) {
        x.splice(0, excess);
        for (const y of this.ys) y.splice(0, excess);
      }
    }
    this.schedule();
  }

  schedule() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.plot.setData([this.x, ...this.ys]);
      this.el.dataset.points = String(this.x.length);
    }, REDRAW_MS);
  }

  resize() {
    const w = Math.floor(this.el.clientWidth);
    if (w > 0 && w !== this.width) {
      this.width = w;
      this.plot.setSize({ width: w, height: this.height });
    }
  }
}
