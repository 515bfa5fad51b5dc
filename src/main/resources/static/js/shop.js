// The shopper's page: sales with live stock and a server-clock countdown, one-press buying
// with an idempotency key and ticket polling, and the shopper's orders with payment.
import { api, duration, el, i18n, languageSwitch, loginForm, serverClock, session } from './common.js';

const LISTING_REFRESH_MS = 2000;
const CLOCK_RESYNC_MS = 5 * 60 * 1000;
const TICKET_TIMEOUT_MS = 60 * 1000;

const store = session('seckill.shop.session');
const activitiesBox = document.getElementById('activities');
const activitiesStatus = document.getElementById('activities-status');
const notice = document.getElementById('notice');
const ordersList = document.getElementById('orders-list');
const ordersStatus = document.getElementById('orders-status');

/** activity id -> {data, node, countdown, items: Map(item id -> entry)} */
const activities = new Map();
/** item id -> name, for the orders list */
const itemNames = new Map();
let orders = [];
/** order id -> {kind, text} payment messages shown in the orders list */
const paymentNotes = new Map();
let listingError = null;

// ---------- login ----------

const login = loginForm(document.getElementById('login-form'), store, async (note) => {
  showNotice(note);
  renderSession();
  await loadOrders();
});

document.getElementById('logout').addEventListener('click', () => {
  store.clear();
  orders = [];
  renderSession();
  renderOrders();
  document.getElementById('username').focus();
});

function renderSession() {
  const loggedIn = store.current !== null;
  document.getElementById('login').hidden = loggedIn;
  document.getElementById('logout').hidden = !loggedIn;
  const who = document.getElementById('who');
  who.hidden = !loggedIn;
  who.textContent = loggedIn ? i18n.t('login.as', { name: store.current.username ?? '' }) : '';
  activities.forEach((activity) => activity.items.forEach(updateItem));
}

function sessionEnded() {
  store.clear();
  renderSession();
  login.show(i18n.t('login.expired'), 'error');
  document.getElementById('username').focus();
}

function showNotice(text) {
  notice.textContent = text ?? '';
}

// ---------- sales ----------

let listingRequests = 0;
let listingApplied = 0;

async function loadActivities() {
  const request = ++listingRequests;
  const reply = await api('GET', '/api/v1/activities');
  if (request < listingApplied) {
    return; // a newer listing is already shown
  }
  listingApplied = request;
  if (!reply.ok) {
    listingError = reply.body;
    renderListingStatus();
    return;
  }
  listingError = null;
  const seen = new Set();
  const sorted = [...reply.body.activities].sort((a, b) => rank(a) - rank(b) || Date.parse(a.startsAt) - Date.parse(b.startsAt));
  sorted.forEach((data, index) => {
    seen.add(data.id);
    let activity = activities.get(data.id);
    if (!activity) {
      activity = createActivity(data);
      activities.set(data.id, activity);
    }
    activity.data = data;
    data.items.forEach((item) => {
      itemNames.set(item.id, item.name);
      let entry = activity.items.get(item.id);
      if (!entry) {
        entry = createItem(activity, item);
        activity.items.set(item.id, entry);
      }
      entry.item = item;
      if (entry.localSoldOutAt && item.remaining > 0 && Date.now() - entry.localSoldOutAt < LISTING_REFRESH_MS) {
        entry.item = { ...item, remaining: 0 };
      }
      updateItemData(entry);
    });
    if (activitiesBox.children[index] !== activity.node) {
      activitiesBox.insertBefore(activity.node, activitiesBox.children[index] ?? null);
    }
  });
  for (const [id, activity] of activities) {
    if (!seen.has(id)) {
      activity.node.remove();
      activities.delete(id);
    }
  }
  renderListingStatus();
  tick();
  if (orders.length) {
    renderOrders();
  }
}

function rank(data) {
  return { ACTIVE: 0, UPCOMING: 1, ENDED: 2 }[phase(data)] ?? 3;
}

function phase(data, now = serverClock.now()) {
  if (now < Date.parse(data.startsAt)) {
    return 'UPCOMING';
  }
  return now < Date.parse(data.endsAt) ? 'ACTIVE' : 'ENDED';
}

function renderListingStatus() {
  if (listingError) {
    activitiesStatus.textContent = i18n.t('activities.loadFailed', { message: i18n.error(listingError) });
  }
  else {
    activitiesStatus.textContent = activities.size === 0 ? i18n.t('activities.none') : '';
  }
  activitiesStatus.hidden = activitiesStatus.textContent === '';
}

function createActivity(data) {
  const headingId = `activity-${data.id}-name`;
  const activity = {
    data,
    items: new Map(),
    heading: el('h3', { id: headingId }),
    countdown: el('p', { class: 'countdown' }),
    window: el('p', { class: 'muted' }),
    minLevel: el('p', { class: 'muted' }),
    list: el('ul', { class: 'items' }),
  };
  activity.node = el('article', { class: 'activity', 'aria-labelledby': headingId, dataset: { activity: data.id } },
      el('header', { class: 'activity-head' }, activity.heading, activity.countdown, activity.window, activity.minLevel),
      activity.list);
  return activity;
}

function createItem(activity, item) {
  const nameId = `item-${item.id}-name`;
  const entry = {
    activity,
    item,
    busy: false,
    pendingKey: null,
    outcome: null,
    localSoldOutAt: 0,
    name: el('h4', { id: nameId }),
    price: el('dd'),
    remaining: el('dd', { class: 'remaining' }),
    limit: el('p', { class: 'muted' }),
    button: el('button', { type: 'button', class: 'buy', 'aria-describedby': nameId }),
    outcomeBox: el('div', { class: 'outcome', role: 'status', 'aria-live': 'polite' }),
  };
  entry.priceLabel = el('dt');
  entry.remainingLabel = el('dt');
  entry.button.addEventListener('click', () => buy(entry));
  entry.node = el('li', { class: 'item', 'aria-labelledby': nameId, dataset: { item: item.id } },
      entry.name,
      el('dl', { class: 'figures' }, entry.priceLabel, entry.price, entry.remainingLabel, entry.remaining),
      entry.limit, entry.button, entry.outcomeBox);
  activity.list.append(entry.node);
  return entry;
}

function updateItemData(entry) {
  const { item, activity } = entry;
  activity.heading.textContent = activity.data.name;
  activity.window.textContent = i18n.t('activity.window', {
    start: i18n.time(Date.parse(activity.data.startsAt)),
    end: i18n.time(Date.parse(activity.data.endsAt)),
  });
  activity.minLevel.textContent = activity.data.minLevel > 0 ? i18n.t('activity.minLevel', { level: activity.data.minLevel }) : '';
  activity.minLevel.hidden = activity.data.minLevel <= 0;
  entry.name.textContent = item.name;
  entry.priceLabel.textContent = i18n.t('item.price');
  entry.price.textContent = i18n.money(item.price);
  entry.remainingLabel.textContent = i18n.t('item.remaining');
  entry.remaining.textContent = i18n.t('item.remainingOf', { remaining: item.remaining, stock: item.stock });
  entry.limit.textContent = i18n.t('item.limit', { limit: item.limit });
  updateItem(entry);
}

/** Countdown and button state from the server clock; runs four times a second. */
function tick() {
  const now = serverClock.now();
  activities.forEach((activity) => {
    const current = phase(activity.data, now);
    const text = current === 'UPCOMING' ? i18n.t('activity.startsIn', { time: duration(Date.parse(activity.data.startsAt) - now) })
      : current === 'ACTIVE' ? i18n.t('activity.endsIn', { time: duration(Date.parse(activity.data.endsAt) - now) })
        : i18n.t('activity.ended');
    if (activity.countdown.textContent !== text) {
      activity.countdown.textContent = text;
    }
    activity.node.dataset.phase = current;
    activity.items.forEach(updateItem);
  });
}

function updateItem(entry) {
  const current = phase(entry.activity.data);
  let label;
  let enabled = false;
  if (entry.busy) {
    label = i18n.t('buy.busy');
  }
  else if (current === 'ENDED') {
    label = i18n.t('buy.ended');
  }
  else if (entry.item.remaining <= 0) {
    label = i18n.t('buy.soldOut');
  }
  else if (current === 'UPCOMING') {
    label = i18n.t('buy.notStarted');
  }
  else if (!store.current) {
    label = i18n.t('buy.logIn');
    enabled = true;
  }
  else {
    label = i18n.t('buy');
    enabled = true;
  }
  if (entry.button.textContent !== label) {
    entry.button.textContent = label;
  }
  entry.button.disabled = !enabled;
  entry.node.classList.toggle('sold-out', entry.item.remaining <= 0);
}

// ---------- buying ----------

async function buy(entry) {
  if (entry.busy) {
    return;
  }
  if (!store.current) {
    showNotice(i18n.t('orders.logIn'));
    document.getElementById('username').focus();
    return;
  }
  entry.busy = true;
  updateItem(entry);
  // A key is kept only while the outcome is unknown (UNAVAILABLE, no connection): pressing Buy
  // again then retries the same purchase, and the server answers it at most once.
  const key = entry.pendingKey ?? newKey();
  entry.pendingKey = key;
  setOutcome(entry, { kind: 'queued' });
  try {
    const { activity, item } = entry;
    const reply = await api('POST', `/api/v1/activities/${activity.data.id}/items/${item.id}/purchases`, {
      token: store.token,
      headers: { 'Idempotency-Key': key },
    });
    if (reply.status === 202) {
      await follow(entry, reply.body.ticket, false);
      return;
    }
    const code = reply.body.code ?? 'NETWORK';
    if (code === 'UNAVAILABLE' && reply.body.ticket) {
      await follow(entry, reply.body.ticket, true);
      return;
    }
    if (code !== 'UNAVAILABLE' && code !== 'NETWORK') {
      entry.pendingKey = null;
    }
    if (code === 'SOLD_OUT') {
      markSoldOut(entry);
    }
    if (code === 'UNAUTHENTICATED') {
      sessionEnded();
    }
    setOutcome(entry, { kind: 'failed', code, body: reply.body });
  }
  finally {
    entry.busy = false;
    updateItem(entry);
    // The stock has moved (by this purchase or others): show it now, not at the next refresh.
    loadActivities();
  }
}

/** Polls a ticket until the database's verdict; {@code unknown}: the purchase may not exist. */
async function follow(entry, ticket, unknown) {
  setOutcome(entry, { kind: 'queued', ticket });
  const started = performance.now();
  let delay = 150;
  while (performance.now() - started < TICKET_TIMEOUT_MS) {
    await sleep(delay);
    delay = Math.min(delay * 1.5, 1000);
    const reply = await api('GET', `/api/v1/purchases/${encodeURIComponent(ticket)}`, { token: store.token });
    if (reply.ok) {
      if (reply.body.status === 'SUCCESS') {
        entry.pendingKey = null;
        setOutcome(entry, { kind: 'success', orderId: reply.body.orderId });
        loadOrders();
        return;
      }
      if (reply.body.status === 'FAILED') {
        entry.pendingKey = null;
        if (reply.body.reason === 'SOLD_OUT') {
          markSoldOut(entry);
        }
        setOutcome(entry, { kind: 'failed', code: reply.body.reason ?? 'FAILED', body: {} });
        return;
      }
    }
    else if (reply.status === 404 && unknown) {
      setOutcome(entry, { kind: 'failed', code: 'UNAVAILABLE', body: {}, notAdmitted: true });
      return;
    }
    else if (reply.status === 401) {
      sessionEnded();
      setOutcome(entry, { kind: 'failed', code: 'UNAUTHENTICATED', body: reply.body });
      return;
    }
    else if (reply.status !== 0 && reply.status !== 503) {
      entry.pendingKey = null;
      setOutcome(entry, { kind: 'failed', code: reply.body.code ?? 'FAILED', body: reply.body });
      return;
    }
  }
  setOutcome(entry, { kind: 'stillQueued', ticket });
}

function markSoldOut(entry) {
  entry.localSoldOutAt = Date.now();
  entry.item = { ...entry.item, remaining: 0 };
  updateItemData(entry);
}

function setOutcome(entry, outcome) {
  entry.outcome = outcome;
  renderOutcome(entry);
}

const knownOutcomes = ['SOLD_OUT', 'NOT_ELIGIBLE', 'LIMIT_REACHED', 'RATE_LIMITED', 'NOT_STARTED', 'ENDED', 'UNAVAILABLE',
  'UNAUTHENTICATED', 'NETWORK'];

function renderOutcome(entry) {
  const box = entry.outcomeBox;
  const outcome = entry.outcome;
  box.replaceChildren();
  box.className = 'outcome';
  if (!outcome) {
    return;
  }
  box.dataset.outcome = outcome.kind === 'failed' ? outcome.code : outcome.kind;
  if (outcome.kind === 'queued' || outcome.kind === 'stillQueued') {
    box.classList.add('pending');
    box.append(el('p', { class: 'outcome-title', text: i18n.t('outcome.queued') }));
    if (outcome.kind === 'stillQueued') {
      box.append(el('p', { text: i18n.t('outcome.stillQueued') }));
    }
    return;
  }
  if (outcome.kind === 'success') {
    box.classList.add('success');
    const note = paymentNotes.get(outcome.orderId);
    box.append(el('p', { class: 'outcome-title', text: i18n.t('outcome.success', { orderId: outcome.orderId }) }),
        el('p', { text: i18n.t('outcome.successDetail') }));
    if (note?.kind !== 'success') {
      box.append(payButton(outcome.orderId));
    }
    if (note) {
      box.append(el('p', { class: `note ${note.kind}`, text: note.text() }));
    }
    return;
  }
  box.classList.add('error');
  const code = outcome.code;
  const title = knownOutcomes.includes(code) ? i18n.t(`outcome.${code}`) : i18n.t('outcome.failed');
  box.append(el('p', { class: 'outcome-title', text: title }));
  const detail = outcome.body && outcome.body.code ? i18n.error(outcome.body) : describeReason(code);
  if (detail) {
    box.append(el('p', { text: detail }));
  }
  if (outcome.notAdmitted) {
    box.append(el('p', { text: i18n.t('outcome.notAdmitted') }));
  }
  if (code === 'UNAVAILABLE' || code === 'NETWORK') {
    box.append(el('p', { text: i18n.t('outcome.retrySafe') }));
  }
}

/** Text for a ticket's FAILED reason, which comes without a message. */
function describeReason(code) {
  const fromApi = {
    SOLD_OUT: { en: 'Sold out.', zh: '已售罄。' },
    LIMIT_REACHED: { en: 'You have reached the purchase limit for this item.', zh: '您已达到该商品的限购数量。' },
    UNAVAILABLE: { en: 'The service is temporarily unavailable; retry shortly.', zh: '服务暂时不可用，请稍后重试。' },
  }[code];
  return fromApi ? fromApi[i18n.lang] : code;
}

function newKey() {
  if (crypto.randomUUID) {
    return crypto.randomUUID();
  }
  // Pages served over plain http (not localhost) have no randomUUID: build a v4 UUID.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sleep(millis) {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

// ---------- orders and payment ----------

async function loadOrders() {
  if (!store.current) {
    orders = [];
    renderOrders();
    return;
  }
  const reply = await api('GET', '/api/v1/orders', { token: store.token });
  if (reply.status === 401) {
    sessionEnded();
    return;
  }
  if (!reply.ok) {
    ordersStatus.textContent = i18n.error(reply.body);
    return;
  }
  orders = reply.body;
  renderOrders();
}

function renderOrders() {
  ordersList.replaceChildren();
  if (!store.current) {
    ordersStatus.textContent = i18n.t('orders.logIn');
    ordersStatus.hidden = false;
    return;
  }
  ordersStatus.textContent = orders.length === 0 ? i18n.t('orders.none') : '';
  ordersStatus.hidden = orders.length > 0;
  orders.forEach((order) => {
    const headingId = `order-${order.id}`;
    const note = paymentNotes.get(order.id);
    ordersList.append(el('li', { class: 'order', 'aria-labelledby': headingId, dataset: { order: order.id, status: order.status } },
        el('h3', { id: headingId, text: i18n.t('orders.order', { id: order.id }) }),
        el('dl', { class: 'figures' },
            el('dt', { text: i18n.t('orders.item') }), el('dd', { text: itemNames.get(order.itemId) ?? `#${order.itemId}` }),
            el('dt', { text: i18n.t('orders.price') }), el('dd', { text: i18n.money(order.price) }),
            el('dt', { text: i18n.t('orders.status') }),
            el('dd', { class: `status status-${order.status}`, text: i18n.has(`status.${order.status}`) ? i18n.t(`status.${order.status}`) : order.status }),
            el('dt', { text: i18n.t('orders.created') }), el('dd', { text: i18n.time(Date.parse(order.createdAt)) })),
        order.status === 'CREATED' ? payButton(order.id) : null,
        note ? el('p', { class: `note ${note.kind}`, role: 'status', text: note.text() }) : null));
  });
}

function payButton(orderId) {
  const button = el('button', { type: 'button', class: 'pay', 'aria-label': i18n.t('pay.label', { orderId }) },
      i18n.t('pay'));
  button.addEventListener('click', () => pay(orderId, button));
  return button;
}

async function pay(orderId, button) {
  button.disabled = true;
  button.textContent = i18n.t('pay.busy');
  const reply = await api('POST', `/api/v1/orders/${orderId}/payment`, { token: store.token });
  if (reply.ok) {
    paymentNotes.set(orderId, { kind: 'success', text: () => i18n.t('pay.done', { orderId }) });
  }
  else {
    if (reply.status === 401) {
      sessionEnded();
    }
    const body = reply.body;
    paymentNotes.set(orderId, { kind: 'error', text: () => i18n.t('pay.failed', { orderId, message: i18n.error(body) }) });
  }
  // The result shows in the order's own row and next to the purchase that made it.
  activities.forEach((activity) => activity.items.forEach((entry) => {
    if (entry.outcome?.kind === 'success' && entry.outcome.orderId === orderId) {
      renderOutcome(entry);
    }
  }));
  await loadOrders();
  renderOrders();
}

document.getElementById('orders-refresh').addEventListener('click', loadOrders);

// ---------- start ----------

languageSwitch(document.getElementById('lang'), () => {
  renderSession();
  renderListingStatus();
  activities.forEach((activity) => activity.items.forEach((entry) => {
    updateItemData(entry);
    renderOutcome(entry);
  }));
  tick();
  renderOrders();
});
i18n.apply();
renderSession();

(async () => {
  await serverClock.sync();
  await loadActivities();
  await loadOrders();
  setInterval(tick, 250);
  setInterval(() => {
    if (!document.hidden) {
      loadActivities();
    }
  }, LISTING_REFRESH_MS);
  setInterval(() => serverClock.sync(), CLOCK_RESYNC_MS);
})();
