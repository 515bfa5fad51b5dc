// The admin console: activities and items (create, edit, publish), user eligibility, and a
// live dashboard per activity that polls the sale's stats (its requests by outcome over every node)
// and this node's latency every second, with rejections by reason and the sale's dead letters.
import { api, el, i18n, languageSwitch, loginForm, session } from './common.js';
import { LineChart } from './charts.js';

const POLL_MS = 1000;
const HISTORY_MS = 60 * 1000;

const store = session('seckill.admin.session');
const notice = document.getElementById('notice');
let activities = [];
let currentView = 'activities-view';

// ---------- session ----------

const login = loginForm(document.getElementById('login-form'), store, async () => {
  await enterConsole();
});

document.getElementById('logout').addEventListener('click', () => {
  stopDashboard();
  store.clear();
  showLogin('');
});

function showLogin(message) {
  document.getElementById('console').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').hidden = true;
  login.show(message, message ? 'error' : '');
  document.getElementById('username').focus();
}

/** Checks the role by asking for the activities: a shopper's token gets 403 FORBIDDEN. */
async function enterConsole() {
  const reply = await api('GET', '/api/v1/admin/activities', { token: store.token });
  if (!reply.ok) {
    const message = reply.status === 403 ? i18n.t('login.notAdmin')
      : reply.status === 401 ? i18n.t('login.expired') : i18n.error(reply.body);
    store.clear();
    showLogin(message);
    return;
  }
  document.getElementById('login').hidden = true;
  document.getElementById('console').hidden = false;
  document.getElementById('logout').hidden = false;
  const who = document.getElementById('who');
  who.hidden = false;
  who.textContent = i18n.t('login.as', { name: store.current.username ?? '' });
  activities = reply.body;
  renderActivities();
  show(currentView);
}

/** Handles a failed call in one place: 401 logs out, anything else is returned as text. */
function failure(reply) {
  if (reply.status === 401) {
    stopDashboard();
    store.clear();
    showLogin(i18n.t('login.expired'));
  }
  return i18n.error(reply.body);
}

function say(text, kind = 'success') {
  notice.textContent = text;
  notice.className = `notice ${kind === 'error' ? 'form-message error' : ''}`;
}

// ---------- views ----------

document.querySelectorAll('.tabs [data-view]').forEach((button) => {
  button.addEventListener('click', () => show(button.dataset.view));
});

function show(view) {
  currentView = view;
  document.querySelectorAll('.view').forEach((section) => {
    section.hidden = section.id !== view;
  });
  document.querySelectorAll('.tabs [data-view]').forEach((button) => {
    if (button.dataset.view === view) {
      button.setAttribute('aria-current', 'true');
    }
    else {
      button.removeAttribute('aria-current');
    }
  });
  if (view === 'dashboard-view') {
    renderDashboardChoices();
    startDashboard();
  }
  else {
    stopDashboard();
  }
}

// ---------- activities ----------

async function loadActivities() {
  const reply = await api('GET', '/api/v1/admin/activities', { token: store.token });
  if (!reply.ok) {
    say(failure(reply), 'error');
    return;
  }
  activities = reply.body;
  renderActivities();
  renderDashboardChoices();
}

function renderActivities() {
  const body = document.querySelector('#activities-table tbody');
  const status = document.getElementById('activities-status');
  status.textContent = activities.length === 0 ? i18n.t('adm.list.none') : '';
  status.hidden = activities.length > 0;
  body.replaceChildren(...[...activities].sort((a, b) => b.id - a.id).map((activity) => {
    const state = [activity.published ? null : i18n.t('adm.state.draft'), i18n.t(`adm.state.${activity.state}`),
      activity.challenge ? i18n.t('adm.state.challenge') : null].filter(Boolean).join(' · ');
    const upcoming = activity.state === 'UPCOMING';
    const canPublish = activity.state !== 'ENDED' && (!activity.published || upcoming);
    const publishText = activity.published ? i18n.t('adm.republish') : i18n.t('adm.publish');
    return el('tr', { dataset: { activity: activity.id } },
        el('td', { 'data-label': i18n.t('adm.col.id'), text: `#${activity.id}` }),
        el('th', { scope: 'row', 'data-label': i18n.t('adm.col.name'), text: activity.name }),
        el('td', { 'data-label': i18n.t('adm.col.window'), text: `${i18n.time(Date.parse(activity.startsAt))} – ${i18n.time(Date.parse(activity.endsAt))}` }),
        el('td', { 'data-label': i18n.t('adm.col.state'), text: state }),
        el('td', { 'data-label': i18n.t('adm.col.items'), text: activity.items.map((item) => `${item.name} ×${item.stock}`).join(', ') }),
        el('td', { 'data-label': i18n.t('adm.col.actions') },
            el('div', { class: 'row-actions' },
                el('button', {
                  type: 'button', class: 'secondary small', disabled: !upcoming,
                  'aria-label': i18n.t('adm.edit.label', { name: activity.name }), onclick: () => openEditor(activity),
                }, i18n.t('adm.edit')),
                el('button', {
                  type: 'button', class: 'small', disabled: !canPublish,
                  'aria-label': i18n.t('adm.publish.label', { action: publishText, name: activity.name }),
                  onclick: () => publish(activity),
                }, publishText),
                el('button', {
                  type: 'button', class: 'secondary small',
                  'aria-label': i18n.t('adm.dashboard.label', { name: activity.name }), onclick: () => openDashboard(activity.id),
                }, i18n.t('adm.dashboard')))));
  }));
}

async function publish(activity) {
  const reply = await api('POST', `/api/v1/admin/activities/${activity.id}/publish`, { token: store.token });
  if (!reply.ok) {
    say(failure(reply), 'error');
    return;
  }
  say(i18n.t('adm.published', { id: activity.id }));
  await loadActivities();
}

document.getElementById('refresh-activities').addEventListener('click', loadActivities);
document.getElementById('new-activity').addEventListener('click', () => openEditor(null));

// ---------- the editor ----------

const editor = document.getElementById('editor');
const itemRows = document.getElementById('item-rows');
let editing = null;
let rowSerial = 0;

function openEditor(activity) {
  editing = activity;
  clearErrors();
  const start = activity ? new Date(activity.startsAt) : new Date(Date.now() + 10 * 60 * 1000);
  const end = activity ? new Date(activity.endsAt) : new Date(start.getTime() + 60 * 60 * 1000);
  document.getElementById('activity-name').value = activity?.name ?? '';
  document.getElementById('activity-starts').value = localInput(start);
  document.getElementById('activity-ends').value = localInput(end);
  document.getElementById('activity-level').value = activity?.minLevel ?? 0;
  document.getElementById('activity-challenge').checked = activity?.challenge ?? false;
  const room = activity?.waitingRoom;
  document.getElementById('activity-waiting-room').checked = Boolean(room);
  document.getElementById('activity-wr-opens').value = room ? Math.round(isoSeconds(room.opensBefore) / 60) : 10;
  document.getElementById('activity-wr-rate').value = room?.admitPerSecond ?? 100;
  document.getElementById('activity-wr-pass').value = room ? isoSeconds(room.passTtl) : 120;
  showWaitingRoomFields();
  itemRows.replaceChildren();
  (activity?.items ?? [{}]).forEach(addItemRow);
  renumberItems();
  editorHeading();
  editor.hidden = false;
  document.getElementById('activity-name').focus();
}

/** Seconds of an ISO-8601 duration as the API writes them ("PT2M", "PT1H30M", "PT45S"). */
function isoSeconds(text) {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(text ?? '');
  return match ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0) : 0;
}

function showWaitingRoomFields() {
  const on = document.getElementById('activity-waiting-room').checked;
  editor.querySelectorAll('[data-waiting-room]').forEach((field) => {
    field.hidden = !on;
  });
}

document.getElementById('activity-waiting-room').addEventListener('change', showWaitingRoomFields);

function editorHeading() {
  document.getElementById('editor-heading').textContent = editing
    ? i18n.t('adm.form.editHeading', { id: editing.id }) : i18n.t('adm.form.newHeading');
}

/** "2030-11-11T08:00:05" in the browser's time zone, for datetime-local inputs. */
function localInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function field(key, labelKey, attributes) {
  const id = `item-${rowSerial}-${key}`;
  const label = el('label', { for: id, dataset: { i18n: labelKey } }, i18n.t(labelKey));
  const input = el('input', { id, 'aria-describedby': `${id}-error`, dataset: { key }, ...attributes });
  return el('div', { class: 'field' }, label, input, el('p', { id: `${id}-error`, class: 'field-error' }));
}

function addItemRow(item = {}) {
  rowSerial += 1;
  const legend = el('legend');
  const remove = el('button', { type: 'button', class: 'secondary small remove' });
  const row = el('fieldset', { class: 'item-row', dataset: { id: item.id ?? '' } },
      legend,
      field('name', 'adm.form.itemName', { maxlength: 100, required: true, value: item.name ?? '' }),
      field('price', 'adm.form.price', { type: 'number', inputmode: 'decimal', min: 0, step: '0.01', required: true, value: item.price ?? '' }),
      field('stock', 'adm.form.stock', { type: 'number', inputmode: 'numeric', min: 0, step: 1, required: true, value: item.stock ?? '' }),
      field('limit', 'adm.form.limit', { type: 'number', inputmode: 'numeric', min: 1, max: 100, step: 1, value: item.limit ?? 1 }),
      remove);
  remove.addEventListener('click', () => {
    row.remove();
    renumberItems();
    document.getElementById('add-item').focus();
  });
  itemRows.append(row);
  return row;
}

/** Keeps legends, remove labels and data-field paths (items[0].stock) in row order. */
function renumberItems() {
  [...itemRows.children].forEach((row, index) => {
    row.querySelector('legend').textContent = i18n.t('adm.form.item', { n: index + 1 });
    const remove = row.querySelector('.remove');
    remove.textContent = i18n.t('adm.form.removeItem', { n: index + 1 });
    remove.hidden = itemRows.children.length === 1;
    row.querySelectorAll('input').forEach((input) => {
      input.dataset.field = `items[${index}].${input.dataset.key}`;
    });
  });
}

document.getElementById('add-item').addEventListener('click', () => {
  const row = addItemRow({});
  renumberItems();
  row.querySelector('input').focus();
});

document.getElementById('cancel-edit').addEventListener('click', () => {
  editor.hidden = true;
  editing = null;
  document.getElementById('new-activity').focus();
});

function clearErrors() {
  editor.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'));
  editor.querySelectorAll('.field-error').forEach((p) => {
    p.textContent = '';
  });
  const message = document.getElementById('editor-message');
  message.textContent = '';
  message.className = 'form-message';
}

function fieldError(path, text) {
  const input = editor.querySelector(`[data-field="${CSS.escape(path)}"]`);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    document.getElementById(`${input.id}-error`).textContent = text;
    return true;
  }
  const holder = editor.querySelector(`[data-field-error="${CSS.escape(path)}"]`);
  if (holder) {
    holder.textContent = text;
    return true;
  }
  return false;
}

/**
 * Puts the API's validation message next to the fields it names: "Invalid input: items[0].stock
 * must be ...; name must not be blank;" or "endsAt must be after startsAt". Returns what is left.
 */
function showServerErrors(message) {
  const parts = message.startsWith('Invalid input:')
    ? message.slice('Invalid input:'.length).split(';') : [message];
  const unplaced = [];
  parts.map((part) => part.trim()).filter(Boolean).forEach((part) => {
    const space = part.indexOf(' ');
    const path = space > 0 ? part.slice(0, space) : part;
    if (!(space > 0 && fieldError(path, i18n.constraint(part.slice(space + 1))))) {
      unplaced.push(part);
    }
  });
  return unplaced;
}

function number(input) {
  if (input.validity.badInput) {
    throw Object.assign(new Error('bad number'), { input });
  }
  return input.value === '' ? null : Number(input.value);
}

function draft() {
  const value = (id) => document.getElementById(id);
  const instant = (input) => (input.value ? new Date(input.value).toISOString() : null);
  return {
    name: value('activity-name').value.trim(),
    startsAt: instant(value('activity-starts')),
    endsAt: instant(value('activity-ends')),
    minLevel: number(value('activity-level')),
    challenge: value('activity-challenge').checked,
    waitingRoom: value('activity-waiting-room').checked ? waitingRoomDraft(value) : null,
    items: [...itemRows.children].map((row) => {
      const input = (key) => row.querySelector(`[data-key="${key}"]`);
      const item = {
        name: input('name').value.trim(),
        price: number(input('price')),
        stock: number(input('stock')),
        limit: number(input('limit')),
      };
      if (row.dataset.id) {
        item.id = Number(row.dataset.id);
      }
      return item;
    }),
  };
}

/** The waiting room's fields as the API takes them: durations in ISO-8601. */
function waitingRoomDraft(value) {
  const opens = number(value('activity-wr-opens'));
  const pass = number(value('activity-wr-pass'));
  return {
    opensBefore: opens == null ? null : `PT${Math.round(opens * 60)}S`,
    admitPerSecond: number(value('activity-wr-rate')),
    passTtl: pass == null ? null : `PT${Math.round(pass)}S`,
  };
}

editor.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors();
  const message = document.getElementById('editor-message');
  let body;
  try {
    body = draft();
  }
  catch (invalid) {
    fieldError(invalid.input.dataset.field, i18n.t('adm.form.badNumber'));
    message.textContent = i18n.t('adm.form.invalid');
    message.className = 'form-message error';
    invalid.input.focus();
    return;
  }
  const reply = editing
    ? await api('PUT', `/api/v1/admin/activities/${editing.id}`, { token: store.token, body })
    : await api('POST', '/api/v1/admin/activities', { token: store.token, body });
  if (!reply.ok) {
    const text = failure(reply);
    if (reply.body.code === 'BAD_REQUEST' && reply.body.message) {
      const unplaced = showServerErrors(reply.body.message);
      message.textContent = unplaced.length ? `${i18n.t('adm.form.invalid')} ${unplaced.join('; ')}` : i18n.t('adm.form.invalid');
      editor.querySelector('[aria-invalid="true"]')?.focus();
    }
    else {
      message.textContent = text;
    }
    message.className = 'form-message error';
    return;
  }
  editor.hidden = true;
  editing = null;
  say(i18n.t('adm.form.saved', { id: reply.body.id }));
  await loadActivities();
  document.querySelector(`#activities-table tr[data-activity="${reply.body.id}"] button`)?.focus();
});

// ---------- users ----------

document.getElementById('users-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const message = document.getElementById('users-message');
  const name = document.getElementById('user-name').value.trim();
  const levelInput = document.getElementById('user-level');
  const blacklist = document.getElementById('user-blacklist').value;
  const body = {};
  if (levelInput.value !== '' || levelInput.validity.badInput) {
    body.level = levelInput.validity.badInput ? 'x' : Number(levelInput.value);
  }
  if (blacklist !== '') {
    body.blacklisted = blacklist === 'true';
  }
  if (!name) {
    message.textContent = i18n.t('login.required');
    message.className = 'form-message error';
    document.getElementById('user-name').focus();
    return;
  }
  const reply = await api('PATCH', `/api/v1/admin/users/${encodeURIComponent(name)}`, { token: store.token, body });
  if (!reply.ok) {
    message.textContent = failure(reply);
    message.className = 'form-message error';
    return;
  }
  const user = reply.body;
  message.textContent = i18n.t('adm.users.saved', {
    name: user.username,
    level: user.level,
    state: user.blacklisted ? i18n.t('adm.users.isBlocked') : i18n.t('adm.users.isAllowed'),
  });
  message.className = 'form-message success';
});

// ---------- the dashboard ----------

// Outcomes of the sale's stats "requests" (admissions, tokenRequests), each with a colour (≥ 3:1 on white) and a
// dash pattern so lines stay apart without colour.
const OUTCOMES = {
  QUEUED: { color: '#1e6b35' },
  SOLD_OUT: { color: '#4a4d57', dash: '6 3' },
  LIMIT_REACHED: { color: '#a15300', dash: '2 3' },
  RATE_LIMITED: { color: '#b3261e', dash: '8 3 2 3' },
  NOT_ELIGIBLE: { color: '#6b3fa0', dash: '4 4' },
  NOT_STARTED: { color: '#1a56db', dash: '1 3' },
  ENDED: { color: '#7a4b00', dash: '10 4' },
  UNAVAILABLE: { color: '#000000', dash: '3 2' },
  REPLAYED: { color: '#0e7490', dash: '5 2 1 2' },
  ISSUED: { color: '#1e6b35' },
  CHALLENGE_ISSUED: { color: '#0e7490', dash: '5 2 1 2' },
  CHALLENGE_FAILED: { color: '#9d174d', dash: '6 2' },
  CHALLENGE_REQUIRED: { color: '#854d0e', dash: '2 2 6 2' },
  PURCHASE_TOKEN_MISSING: { color: '#9d174d', dash: '6 2' },
  PURCHASE_TOKEN_INVALID: { color: '#3730a3', dash: '3 3' },
  PURCHASE_TOKEN_EXPIRED: { color: '#854d0e', dash: '2 2 6 2' },
  PURCHASE_TOKEN_FOREIGN: { color: '#115e59', dash: '8 2' },
  PURCHASE_TOKEN_USED: { color: '#6b21a8', dash: '1 2' },
};

/** Outcomes that are not rejections: admitted or replayed purchases, issued tokens and challenges. */
const ACCEPTED = new Set(['QUEUED', 'REPLAYED', 'ISSUED', 'CHALLENGE_ISSUED']);

function perSecond(v) {
  return `${v >= 10 || v === 0 ? Math.round(v) : v.toFixed(1)}/s`;
}

const charts = {
  rate: new LineChart(document.getElementById('chart-rate'), { id: 'chart-rate', minimumMax: 5, format: perSecond }),
  tokens: new LineChart(document.getElementById('chart-tokens'), { id: 'chart-tokens', minimumMax: 5, format: perSecond }),
  remaining: new LineChart(document.getElementById('chart-remaining'), { id: 'chart-remaining', minimumMax: 1 }),
  queue: new LineChart(document.getElementById('chart-queue'), { id: 'chart-queue', minimumMax: 5 }),
  latency: new LineChart(document.getElementById('chart-latency'), { id: 'chart-latency', minimumMax: 5 }),
};

let dashboard = null;
let generation = 0;

function emptyDashboard(activityId) {
  return {
    activityId,
    previous: null,
    readings: [],
    baseline: null,
    peak: 0,
    latest: null,
    rates: {},
    tokenRates: {},
    redis: [],
    database: [],
    queue: [],
    p50: [],
    p99: [],
  };
}

function renderDashboardChoices() {
  const select = document.getElementById('dashboard-activity');
  const chosen = dashboard?.activityId ?? null;
  select.replaceChildren(el('option', { value: '', text: '—' }),
      ...[...activities].sort((a, b) => b.id - a.id).map((activity) => el('option', {
        value: activity.id, text: `#${activity.id} ${activity.name}`, selected: activity.id === chosen,
      })));
}

document.getElementById('dashboard-activity').addEventListener('change', (event) => {
  const id = Number(event.target.value);
  dashboard = id ? emptyDashboard(id) : null;
  startDashboard();
});

function openDashboard(activityId) {
  dashboard = emptyDashboard(activityId);
  show('dashboard-view');
  document.getElementById('dashboard-heading').focus();
}

function stopDashboard() {
  generation += 1;
}

function startDashboard() {
  stopDashboard();
  const status = document.getElementById('dashboard-status');
  const body = document.getElementById('dashboard-body');
  if (!dashboard) {
    document.getElementById('dashboard-heading').textContent = i18n.t('dash.heading');
    status.textContent = i18n.t('dash.none');
    body.hidden = true;
    return;
  }
  renderDashboardChoices();
  dashboardHeading();
  body.hidden = false;
  renderDashboard();
  loadDeadLetters();
  const mine = generation;
  const poll = async () => {
    const started = performance.now();
    const hasLine = Boolean(activities.find((a) => a.id === dashboard.activityId)?.waitingRoom);
    const [stats, metrics, line] = await Promise.all([
      api('GET', `/api/v1/admin/activities/${dashboard.activityId}/stats`, { token: store.token }),
      api('GET', '/api/v1/admin/metrics', { token: store.token }),
      hasLine ? api('GET', `/api/v1/admin/activities/${dashboard.activityId}/waiting-room?places=0`, { token: store.token })
        : Promise.resolve(null),
    ]);
    if (mine !== generation) {
      return;
    }
    dashboard.line = line?.ok ? line.body : null;
    if (stats.ok && metrics.ok) {
      record(dashboard, stats.body, metrics.body);
      status.textContent = i18n.t('dash.live');
      renderDashboard();
    }
    else {
      const failed = stats.ok ? metrics : stats;
      status.textContent = i18n.t('dash.paused', { message: failure(failed) });
      if (failed.status === 401 || failed.status === 403 || failed.status === 404) {
        return;
      }
    }
    setTimeout(poll, Math.max(0, POLL_MS - (performance.now() - started)));
  };
  poll();
}

function dashboardHeading() {
  const activity = activities.find((a) => a.id === dashboard.activityId);
  document.getElementById('dashboard-heading').textContent = i18n.t('dash.headingFor', {
    name: activity?.name ?? '', id: dashboard.activityId,
  });
}

// Rates are taken over this long: every node adds its counts to the sale's once a second, each at its own
// moment, so a rate between two readings one second apart jumps between nothing and twice the truth.
const RATE_WINDOW_MS = 3000;

/**
 * Adds one reading; turns the sale's cumulative counts over every node (purchase admissions and
 * purchase-token requests, by outcome) into requests per second over the last few seconds. The
 * latency is this node's (its own histogram).
 */
function record(state, stats, metrics) {
  const at = Date.parse(stats.at);
  const counters = { admissions: stats.requests?.admissions ?? {}, tokenRequests: stats.requests?.tokenRequests ?? {} };
  state.readings = (state.readings ?? []).filter((r) => r.at >= at - RATE_WINDOW_MS && r.at < at);
  const from = state.readings[0] ?? state.previous;
  state.readings.push({ at, ...counters });
  if (from && at > from.at) {
    const seconds = (at - from.at) / 1000;
    let reset = false;
    const rates = (now, before, series) => {
      let total = 0;
      new Set([...Object.keys(now), ...Object.keys(before)]).forEach((outcome) => {
        const delta = (now[outcome] ?? 0) - (before[outcome] ?? 0);
        if (delta < 0) {
          reset = true;
        }
        const rate = Math.max(0, delta) / seconds;
        total += rate;
        (series[outcome] ??= []).push({ t: at, v: rate });
      });
      return total;
    };
    const total = rates(counters.admissions, from.admissions, state.rates);
    rates(counters.tokenRequests, from.tokenRequests, state.tokenRates);
    if (reset) {
      // The sale's counts were removed with its keys (its retention ended): they began again.
      state.baseline = counters;
    }
    state.totalRate = total;
    state.peak = Math.max(state.peak, total);
  }
  state.baseline ??= counters;
  state.previous = { at, ...counters };
  const statsAt = at;
  const sum = (key) => stats.items.reduce((total, item) => total + (item[key] ?? 0), 0);
  state.redis.push({ t: statsAt, v: sum('redisRemaining') });
  state.database.push({ t: statsAt, v: sum('databaseRemaining') });
  state.queue.push({ t: statsAt, v: stats.queueLength });
  state.p50.push({ t: at, v: metrics.purchaseLatencyMillis?.p50 ?? 0 });
  state.p99.push({ t: at, v: metrics.purchaseLatencyMillis?.p99 ?? 0 });
  state.latest = { stats, metrics, counters, at };
  const keepFrom = state.latest.at - HISTORY_MS;
  for (const list of [state.redis, state.database, state.queue, state.p50, state.p99, ...Object.values(state.rates),
    ...Object.values(state.tokenRates)]) {
    while (list.length && list[0].t < keepFrom) {
      list.shift();
    }
  }
}

/** Chart series of the outcomes that had any request in the window, labelled by their code. */
function series(rates) {
  return Object.entries(rates)
    .filter(([, points]) => points.some((p) => p.v > 0))
    .map(([outcome, points]) => ({ label: outcome, points, ...(OUTCOMES[outcome] ?? { color: '#333333', dash: '2 2' }) }));
}

/**
 * Rejections since the dashboard opened, one row per reason, with the sale's purchase requests and
 * purchase-token requests the cluster refused for it; most frequent first.
 */
function renderRejections(counters, baseline) {
  const counts = new Map();
  for (const counter of ['admissions', 'tokenRequests']) {
    Object.entries(counters?.[counter] ?? {}).forEach(([outcome, count]) => {
      const delta = count - (baseline?.[counter]?.[outcome] ?? 0);
      if (!ACCEPTED.has(outcome) && delta > 0) {
        const row = counts.get(outcome) ?? { admissions: 0, tokenRequests: 0 };
        row[counter] = delta;
        counts.set(outcome, row);
      }
    });
  }
  const rows = [...counts.entries()]
    .sort(([a, x], [b, y]) => (y.admissions + y.tokenRequests) - (x.admissions + x.tokenRequests) || a.localeCompare(b));
  document.getElementById('dashboard-rejections-none').hidden = rows.length > 0;
  document.getElementById('dashboard-rejections').hidden = rows.length === 0;
  document.querySelector('#dashboard-rejections tbody').replaceChildren(...rows.map(([reason, row]) => el('tr', { dataset: { reason } },
      el('th', { scope: 'row', 'data-label': i18n.t('dash.col.reason') },
          i18n.has(`outcome.${reason}`) ? i18n.t(`outcome.${reason}`) : reason, el('span', { class: 'reason-code', text: reason })),
      el('td', { class: 'num purchases', 'data-label': i18n.t('dash.col.purchases'), text: String(row.admissions) }),
      el('td', { class: 'num tokens', 'data-label': i18n.t('dash.col.tokenRequests'), text: String(row.tokenRequests) }))));
}

function renderDashboard() {
  const state = dashboard;
  const latest = state.latest;
  const set = (id, text) => {
    document.getElementById(id).textContent = text;
  };
  if (!latest) {
    ['kpi-rate', 'kpi-queued', 'kpi-sold', 'kpi-queue', 'kpi-p99', 'kpi-tokens'].forEach((id) => set(id, '–'));
    document.querySelector('#dashboard-items tbody').replaceChildren();
    renderRejections(null, null);
  }
  else {
    const { stats, metrics, counters } = latest;
    const since = (counter, outcome) => (counters[counter]?.[outcome] ?? 0) - (state.baseline?.[counter]?.[outcome] ?? 0);
    const queuedSince = since('admissions', 'QUEUED');
    const sold = stats.items.reduce((total, item) => total + item.liveOrders, 0);
    const stock = stats.items.reduce((total, item) => total + item.stock, 0);
    set('kpi-rate', state.totalRate === undefined ? '–' : `${state.totalRate.toFixed(1)}/s`);
    document.getElementById('kpi-rate').dataset.peak = state.peak.toFixed(1);
    set('kpi-queued', String(queuedSince));
    set('kpi-sold', `${sold} / ${stock}`);
    set('kpi-queue', String(stats.queueLength));
    set('kpi-p99', i18n.t('dash.ms', { value: (metrics.purchaseLatencyMillis?.p99 ?? 0).toFixed(1) }));
    set('kpi-tokens', String(since('tokenRequests', 'ISSUED')));
    const line = state.line;
    document.getElementById('dashboard-line').hidden = !line;
    if (line) {
      set('kpi-line', String(line.drawn + line.late));
      set('kpi-line-admitted', String(line.admitted));
      set('kpi-line-rate', `${perSecond(line.admittedPerSecond)} / ${perSecond(line.admitPerSecond)}`);
      set('kpi-line-outstanding', String(line.outstanding));
    }
    renderRejections(counters, state.baseline);
    document.querySelector('#dashboard-items tbody').replaceChildren(...stats.items.map((item) => {
      const drift = item.redisRemaining == null ? null : item.redisRemaining - item.databaseRemaining;
      const soldShare = item.stock > 0 ? Math.min(100, (item.liveOrders / item.stock) * 100) : 0;
      return el('tr', { dataset: { item: item.itemId } },
          el('th', { scope: 'row', 'data-label': i18n.t('dash.col.item'), text: item.name }),
          el('td', { class: 'num', 'data-label': i18n.t('dash.col.stock'), text: String(item.stock) }),
          el('td', { class: 'num', 'data-label': i18n.t('dash.col.sold') },
              el('span', { class: 'sold', text: String(item.liveOrders) }),
              el('div', { class: 'bar', 'aria-hidden': 'true' }, el('span', { style: `width: ${soldShare}%` }))),
          el('td', { class: 'num redis', 'data-label': i18n.t('dash.col.redis'), text: item.redisRemaining == null ? '–' : String(item.redisRemaining) }),
          el('td', { class: 'num database', 'data-label': i18n.t('dash.col.db'), text: String(item.databaseRemaining) }),
          el('td', {
            class: `num drift ${drift && stats.queueLength === 0 ? 'drift-bad' : ''}`,
            'data-label': i18n.t('dash.col.drift'), text: drift == null ? '–' : String(drift),
          }));
    }));
  }
  const now = latest?.at ?? Date.now();
  const empty = i18n.t('dash.chart.empty');
  charts.rate.draw(i18n.t('dash.chart.rate'), series(state.rates), now, empty);
  charts.tokens.draw(i18n.t('dash.chart.tokens'), series(state.tokenRates), now, empty);
  charts.remaining.draw(i18n.t('dash.chart.remaining'), [
    { label: i18n.t('dash.series.redis'), color: '#b3261e', points: state.redis },
    { label: i18n.t('dash.series.db'), color: '#1a56db', dash: '6 3', points: state.database },
  ], now, empty);
  charts.queue.draw(i18n.t('dash.chart.queue'), [
    { label: i18n.t('dash.series.queue'), color: '#7a4b00', points: state.queue },
  ], now, empty);
  charts.latency.draw(i18n.t('dash.chart.latency'), [
    { label: i18n.t('dash.series.p50'), color: '#1e6b35', points: state.p50 },
    { label: i18n.t('dash.series.p99'), color: '#b3261e', dash: '6 3', points: state.p99 },
  ], now, empty);
}

// ---------- dead letters ----------

// Loaded when the dashboard opens, on Refresh and after each action: dead letters are rare,
// so they are not polled every second.
const deadLetters = { activityId: null, list: null, actions: [] };

async function loadDeadLetters() {
  const activityId = dashboard?.activityId;
  if (activityId == null) {
    return;
  }
  if (deadLetters.activityId !== activityId) {
    Object.assign(deadLetters, { activityId, list: null, actions: [] });
    document.getElementById('dead-letters-message').textContent = '';
    renderDeadLetters();
  }
  const [list, actions] = await Promise.all([
    api('GET', `/api/v1/admin/activities/${activityId}/dead-letters`, { token: store.token }),
    api('GET', `/api/v1/admin/activities/${activityId}/dead-letters/actions`, { token: store.token }),
  ]);
  if (dashboard?.activityId !== activityId) {
    return;
  }
  const status = document.getElementById('dead-letters-status');
  if (!list.ok || !actions.ok) {
    status.textContent = failure(list.ok ? actions : list);
    return;
  }
  deadLetters.list = list.body;
  deadLetters.actions = actions.body;
  renderDeadLetters();
}

function renderDeadLetters() {
  const { list, actions } = deadLetters;
  const status = document.getElementById('dead-letters-status');
  const rows = document.querySelector('#dead-letters tbody');
  if (!list) {
    rows.replaceChildren();
    return;
  }
  document.getElementById('dead-letters').hidden = list.count === 0;
  status.textContent = list.count === 0 ? i18n.t('dead.none')
      : i18n.t('dead.count', { count: list.count, shown: list.entries.length });
  rows.replaceChildren(...list.entries.map((entry) => {
    const reason = el('input', {
      class: 'dead-reason', maxlength: '500', 'aria-label': i18n.t('dead.reasonLabel', { ticket: entry.ticket ?? entry.id }),
    });
    const act = (action) => () => deadLetterAction(entry, action, reason);
    return el('tr', { dataset: { entry: entry.id } },
        el('th', { scope: 'row', 'data-label': i18n.t('dead.col.ticket'), text: entry.ticket ?? entry.id }),
        el('td', { 'data-label': i18n.t('dead.col.user'), text: entry.userId ?? '–' }),
        el('td', { class: 'dead-error', 'data-label': i18n.t('dead.col.error'), text: entry.error ?? '–' }),
        el('td', { 'data-label': i18n.t('dead.col.reason') }, reason),
        el('td', { 'data-label': i18n.t('dead.col.actions') },
            el('button', { type: 'button', class: 'dead-replay', text: i18n.t('dead.replay'), onclick: act('replay') }),
            ' ',
            el('button', { type: 'button', class: 'secondary dead-discard', text: i18n.t('dead.discard'), onclick: act('discard') })));
  }));
  const audit = document.getElementById('dead-actions');
  audit.replaceChildren(...(actions.length === 0 ? [el('li', { class: 'muted', text: i18n.t('dead.auditNone') })]
      : actions.map((a) => el('li', {
        text: i18n.t('dead.auditLine', {
          at: new Date(a.actedAt).toLocaleString(i18n.lang), admin: a.admin, action: i18n.t(`dead.action.${a.action}`),
          entry: a.entryId, ticket: a.ticket ?? '–', outcome: a.outcome, reason: a.reason,
        }),
      }))));
}

async function deadLetterAction(entry, action, reasonInput) {
  const message = document.getElementById('dead-letters-message');
  const reason = reasonInput.value.trim();
  if (!reason) {
    message.textContent = i18n.t('dead.needReason');
    reasonInput.focus();
    return;
  }
  const reply = await api('POST',
      `/api/v1/admin/activities/${deadLetters.activityId}/dead-letters/${encodeURIComponent(entry.id)}/${action}`,
      { token: store.token, body: { reason } });
  message.textContent = reply.ok ? '' : failure(reply);
  if (reply.ok) {
    say(i18n.t(action === 'replay' ? 'dead.replayed' : 'dead.discarded', { ticket: entry.ticket ?? entry.id }));
  }
  loadDeadLetters();
}

document.getElementById('refresh-dead-letters').addEventListener('click', () => loadDeadLetters());

// ---------- start ----------

languageSwitch(document.getElementById('lang'), () => {
  if (store.current) {
    document.getElementById('who').textContent = i18n.t('login.as', { name: store.current.username ?? '' });
  }
  renderActivities();
  renumberItems();
  if (!editor.hidden) {
    editorHeading();
  }
  if (dashboard) {
    dashboardHeading();
    renderDashboard();
    renderDeadLetters();
  }
});
i18n.apply();

if (store.current) {
  enterConsole();
}
else {
  showLogin('');
}
