// A small time-series line chart in plain SVG: no library, no network. Each chart is a
// <figure> with a caption, an SVG (role="img", its label summarising the latest values for
// screen readers) and a legend that also shows the latest value of each series.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 480;
const HEIGHT = 200;
const PAD = { left: 46, right: 10, top: 10, bottom: 24 };
const MIN_WINDOW = 10 * 1000;

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  return node;
}

/** A "nice" axis maximum: 1, 2 or 5 times a power of ten, at least minimum. */
function niceMax(value, minimum) {
  const target = Math.max(value, minimum);
  const power = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= target) {
      return step * power;
    }
  }
  return 10 * power;
}

function formatNumber(value) {
  if (Math.abs(value) >= 1000) {
    return `${(value / 1000).toFixed(value >= 10000 ? 0 : 1)}k`;
  }
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 1 : 0);
}

export class LineChart {
  /**
   * @param figure an empty <figure> element
   * @param options {id, windowMillis, minimumMax, format(value) -> text}
   */
  constructor(figure, { id, windowMillis = 60000, minimumMax = 1, format = formatNumber }) {
    this.windowMillis = windowMillis;
    this.minimumMax = minimumMax;
    this.format = format;
    this.caption = document.createElement('figcaption');
    this.caption.id = `${id}-caption`;
    this.svg = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${id}-caption`, focusable: 'false' });
    this.title = '';
    this.legend = document.createElement('ul');
    this.legend.className = 'legend';
    figure.classList.add('chart');
    figure.id = id;
    figure.replaceChildren(this.caption, this.svg, this.legend);
  }

  /**
   * Draws series [{label, color, dash?, points: [{t, v}]}] over the last windowMillis before
   * now; emptyText shows while there is nothing to draw.
   */
  draw(title, series, now, emptyText) {
    this.caption.textContent = title;
    // The time axis grows with the data, from MIN_WINDOW up to windowMillis, so the first
    // seconds of a sale are not squeezed against the right edge.
    const earliest = Math.min(now, ...series.flatMap((s) => s.points.map((p) => p.t)));
    const span = Math.min(this.windowMillis, Math.max(MIN_WINDOW, now - earliest));
    const from = now - span;
    const visible = series.map((s) => ({ ...s, points: s.points.filter((p) => p.t >= from) }));
    const max = niceMax(Math.max(0, ...visible.flatMap((s) => s.points.map((p) => p.v))), this.minimumMax);
    const x = (t) => PAD.left + ((t - from) / span) * (WIDTH - PAD.left - PAD.right);
    const y = (v) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom);

    const nodes = [];
    for (const fraction of [0, 0.5, 1]) {
      const value = max * fraction;
      nodes.push(svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value), stroke: '#c9ccd3', 'stroke-width': 1 }));
      const label = svg('text', { x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end', 'font-size': 13, fill: '#4a4d57' });
      label.textContent = this.format(value);
      nodes.push(label);
    }
    for (const [seconds, anchor] of [[Math.round(span / 1000), 'start'], [0, 'end']]) {
      const label = svg('text', { x: anchor === 'start' ? PAD.left : WIDTH - PAD.right, y: HEIGHT - 6, 'text-anchor': anchor, 'font-size': 13, fill: '#4a4d57' });
      label.textContent = seconds === 0 ? '0 s' : `−${seconds} s`;
      nodes.push(label);
    }
    const drawn = visible.filter((s) => s.points.length > 0);
    drawn.forEach((s) => {
      const points = s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
      nodes.push(svg('polyline', {
        points, fill: 'none', stroke: s.color, 'stroke-width': 2.5, 'stroke-linejoin': 'round',
        'stroke-dasharray': s.dash ?? 'none', 'data-series': s.label,
      }));
    });
    if (drawn.length === 0) {
      const waiting = svg('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle', 'font-size': 14, fill: '#4a4d57' });
      waiting.textContent = emptyText;
      nodes.push(waiting);
    }
    this.svg.replaceChildren(...nodes);

    const latest = drawn.map((s) => ({ label: s.label, color: s.color, value: s.points[s.points.length - 1].v }));
    this.legend.replaceChildren(...latest.map((s) => {
      const item = document.createElement('li');
      item.style.setProperty('--swatch', s.color);
      item.textContent = `${s.label}: ${this.format(s.value)}`;
      return item;
    }));
    const summary = latest.length ? latest.map((s) => `${s.label} ${this.format(s.value)}`).join(', ') : emptyText;
    this.svg.setAttribute('aria-label', `${title}: ${summary}`);
    this.svg.removeAttribute('aria-labelledby');
  }
}
