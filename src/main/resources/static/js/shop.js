// The shopper's page: sales with live stock and a server-clock countdown, buying with a one-time
// purchase token (after a picture challenge where the sale asks for one) and an idempotency key,
// ticket polling, and the shopper's orders with payment.
import { api, duration, el, i18n, languageSwitch, loginForm, serverClock, session } from './common.js';

const LISTING_REFRESH_MS = 2000;
const CLOCK_RESYNC_MS = 5 * 60 * 1000;
const TICKET_TIMEOUT_MS = 60 * 1000;
/** How long a purchase answered NOT_STARTED (clock skew) is retried before the page gives up. */
const NOT_STARTED_RETRY_MS = 10 * 1000;

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
  forgetAttempts();
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
  activities.forEach((activity) => {
    updateLine(activity);
    activity.items.forEach(updateItem);
  });
}

function sessionEnded() {
  store.clear();
  forgetAttempts();
  renderSession();
  login.show(i18n.t('login.expired'), 'error');
  document.getElementById('username').focus();
}

/** Tokens and keys belong to the shopper who was logged in: none carries over to another. */
function forgetAttempts() {
  activities.forEach((activity) => {
    activity.items.forEach((entry) => {
      entry.attempt = null;
      closeChallenge(entry);
    });
    forgetLine(activity);
  });
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
    updateLine(activity);
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
    challenge: el('p', { class: 'muted' }),
    /** the waiting room's line, for a sale with one */
    line: null,
    lineBox: el('div'),
    list: el('ul', { class: 'items' }),
  };
  activity.node = el('article', { class: 'activity', 'aria-labelledby': headingId, dataset: { activity: data.id } },
      el('header', { class: 'activity-head' }, activity.heading, activity.countdown, activity.window, activity.minLevel,
          activity.challenge),
      activity.lineBox,
      activity.list);
  return activity;
}

function createItem(activity, item) {
  const nameId = `item-${item.id}-name`;
  const entry = {
    activity,
    item,
    busy: false,
    /** {key, token, renewed}: the purchase being made, kept while it may be retried */
    attempt: null,
    /** {id, image, note, message} while a challenge is shown */
    challenge: null,
    /** performance.now() until which the server asked to wait (Retry-After) */
    waitUntil: 0,
    outcome: null,
    localSoldOutAt: 0,
    name: el('h4', { id: nameId }),
    price: el('dd'),
    remaining: el('dd', { class: 'remaining' }),
    limit: el('p', { class: 'muted' }),
    button: el('button', { type: 'button', class: 'buy', 'aria-describedby': nameId }),
    outcomeBox: el('div', { class: 'outcome', role: 'status', 'aria-live': 'polite', tabindex: '-1' }),
  };
  entry.challengeParts = createChallenge(entry, `challenge-${item.id}`, {
    heading: 'challenge.heading',
    submit: 'challenge.submit',
    answered: (answer) => run(entry, () => tokenThenPurchase(entry, answer)),
    renewed: () => run(entry, () => openChallenge(entry, null)),
  });
  entry.afterChallenge = entry.outcomeBox;
  entry.priceLabel = el('dt');
  entry.remainingLabel = el('dt');
  entry.button.addEventListener('click', () => buy(entry));
  entry.node = el('li', { class: 'item', 'aria-labelledby': nameId, dataset: { item: item.id } },
      entry.name,
      el('dl', { class: 'figures' }, entry.priceLabel, entry.price, entry.remainingLabel, entry.remaining),
      entry.limit, entry.button, entry.challengeParts.form, entry.outcomeBox);
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
  activity.challenge.textContent = !activity.data.challenge ? ''
    : i18n.t(activity.data.waitingRoom ? 'activity.lineChallenge' : 'activity.challenge');
  activity.challenge.hidden = !activity.data.challenge;
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
    renderLine(activity);
    activity.items.forEach(updateItem);
  });
}

function updateItem(entry) {
  const current = phase(entry.activity.data);
  let label;
  let enabled = false;
  if (entry.challenge && !entry.busy && (current === 'ENDED' || entry.item.remaining <= 0)) {
    closeChallenge(entry);
    return;
  }
  if (entry.busy) {
    label = i18n.t('buy.busy');
  }
  else if (entry.challenge) {
    label = i18n.t('buy.answer');
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
  else if (entry.activity.data.waitingRoom && !pass(entry.activity)) {
    label = i18n.t('buy.waitTurn');
  }
  else if (waiting(entry)) {
    label = i18n.t('buy.wait', { seconds: Math.ceil((entry.waitUntil - performance.now()) / 1000) });
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
  if (entry.challenge && entry.waitUntil && !waiting(entry)) {
    // The wait the server asked for is over: the question can be answered again.
    entry.waitUntil = 0;
    entry.challenge.message = null;
    renderChallenge(entry);
  }
}

// ---------- the waiting room ----------
//
// A sale with a waiting room is bought in turn. The shopper joins its line (from waitingRoom.opensAt
// on; joining early gains nothing: at the start everyone in line is drawn in a random order), the
// page asks where they stand when the server says to (pollAfterSeconds, spread by the server), and
// once the shopper is admitted the Buy buttons send the pass with the purchase-token request.

function createLine(activity) {
  const line = {
    /** the last place answer */
    place: null,
    /** null: not asked yet; false: not in line; true: in line */
    joined: null,
    busy: false,
    timer: 0,
    error: null,
    /** {id, image, note, message} while the challenge of a sale with one is shown before joining */
    challenge: null,
    /** performance.now() until which the server asked to wait (Retry-After) */
    waitUntil: 0,
    /** the most people ever ahead, for the progress bar */
    mostAhead: 0,
    status: el('p', { class: 'line-status', role: 'status', 'aria-live': 'polite', tabindex: '-1' }),
    progress: el('progress', { max: '1', value: '0' }),
    button: el('button', { type: 'button', class: 'join' }),
  };
  line.challengeParts = createChallenge(line, `challenge-line-${activity.data.id}`, {
    heading: 'challenge.lineHeading',
    submit: 'challenge.lineSubmit',
    answered: (answer) => joinLine(activity, answer),
    renewed: () => openLineChallenge(activity, null),
  });
  line.afterChallenge = line.status;
  line.button.addEventListener('click', () => joinLine(activity));
  line.node = el('section', { class: 'line' }, line.status, line.progress, line.button, line.challengeParts.form);
  return line;
}

/** Creates or drops the line as the listing says, and asks once where a logged-in shopper stands. */
function updateLine(activity) {
  if (!activity.data.waitingRoom) {
    activity.line?.node.remove();
    activity.line = null;
    return;
  }
  if (!activity.line) {
    activity.line = createLine(activity);
    activity.lineBox.append(activity.line.node);
  }
  if (store.current && activity.line.joined === null && !activity.line.busy
      && serverClock.now() >= Date.parse(activity.data.waitingRoom.opensAt)) {
    checkPlace(activity);
  }
  renderLine(activity);
}

function forgetLine(activity) {
  if (activity.line) {
    clearTimeout(activity.line.timer);
    closeChallenge(activity.line);
    Object.assign(activity.line, { place: null, joined: null, error: null, mostAhead: 0, waitUntil: 0 });
    renderLine(activity);
  }
}

/** The admitted shopper's pass, while it is good. */
function pass(activity) {
  const place = activity.line?.place;
  return place?.state === 'ADMITTED' && serverClock.now() < Date.parse(place.passExpiresAt) ? place.pass : null;
}

/**
 * Joins the line; for a sale with a challenge the first press shows its question, and the
 * shopper's {challengeId, answer} comes with the join (once in line, nobody is asked again).
 */
async function joinLine(activity, answer = null) {
  const line = activity.line;
  if (line.busy || waiting(line) || !store.current) {
    return;
  }
  if (activity.data.challenge && !answer) {
    await openLineChallenge(activity, null);
    return;
  }
  line.busy = true;
  renderLine(activity);
  renderChallenge(line);
  const token = store.token;
  const reply = await api('POST', `/api/v1/activities/${activity.data.id}/waiting-room`,
      { token, body: answer ?? undefined });
  line.busy = false;
  if (activity.line !== line || store.token !== token) {
    return; // the shopper logged out (or another logged in) meanwhile: not their answer
  }
  const code = reply.body.code;
  if (code === 'CHALLENGE_FAILED' || code === 'CHALLENGE_REQUIRED') {
    // CHALLENGE_REQUIRED without a question shown: the sale asks for one since the listing.
    await openLineChallenge(activity, code === 'CHALLENGE_FAILED' ? 'challenge.wrong' : null);
    return;
  }
  if (line.challenge && code === 'RATE_LIMITED') {
    // Too many wrong answers (or requests): the question stays open until the wait is over.
    line.waitUntil = performance.now() + (reply.retryAfter ?? 1) * 1000;
    line.challenge.message = { key: 'challenge.wait', seconds: reply.retryAfter ?? 1 };
    renderChallenge(line);
    renderLine(activity);
    return;
  }
  closeChallenge(line);
  placeAnswered(activity, reply);
}

/** Shows the sale's question before the join; {@code note}: why a new one is shown. */
async function openLineChallenge(activity, note) {
  const line = activity.line;
  line.challenge ??= {};
  Object.assign(line.challenge, { id: null, image: null, note, message: null });
  line.busy = true;
  renderChallenge(line);
  renderLine(activity);
  const token = store.token;
  const reply = await api('POST', `/api/v1/activities/${activity.data.id}/challenges`, { token });
  line.busy = false;
  if (activity.line !== line || !line.challenge || store.token !== token) {
    return;
  }
  if (reply.status === 201) {
    Object.assign(line.challenge, { id: reply.body.challengeId, image: reply.body.image });
    line.challengeParts.input.value = '';
    renderChallenge(line);
    renderLine(activity);
    line.challengeParts.input.focus();
    return;
  }
  closeChallenge(line);
  placeAnswered(activity, reply);
}

async function checkPlace(activity) {
  const line = activity.line;
  if (!line || line.busy || !store.current) {
    return;
  }
  line.busy = true;
  const token = store.token;
  const reply = await api('GET', `/api/v1/activities/${activity.data.id}/waiting-room`, { token });
  line.busy = false;
  if (store.token === token) {
    placeAnswered(activity, reply);
  }
}

function placeAnswered(activity, reply) {
  const line = activity.line;
  if (!line || !store.current) {
    return;
  }
  clearTimeout(line.timer);
  const code = reply.body.code;
  if (reply.ok) {
    Object.assign(line, { joined: true, place: reply.body, error: null });
    line.mostAhead = Math.max(line.mostAhead, reply.body.ahead ?? 0);
  }
  else if (code === 'WAITING_ROOM_NOT_JOINED' || code === 'WAITING_ROOM_NOT_OPEN') {
    Object.assign(line, { joined: false, place: null, error: null });
  }
  else if (code === 'UNAUTHENTICATED') {
    sessionEnded();
    return;
  }
  else {
    line.error = reply.body;
    if (code === 'RATE_LIMITED') {
      // Join waits for the Retry-After the server named.
      line.waitUntil = performance.now() + (reply.retryAfter ?? 1) * 1000;
    }
  }
  // Ask again when the server says to; after an error, in a few seconds; an expired turn is over.
  if (line.joined && line.place?.state !== 'EXPIRED') {
    const seconds = reply.ok ? line.place.pollAfterSeconds : (reply.retryAfter ?? 3);
    line.timer = setTimeout(() => checkPlace(activity), Math.max(1, seconds) * 1000);
  }
  renderLine(activity);
  activity.items.forEach(updateItem);
}

function renderLine(activity) {
  const line = activity.line;
  if (!line) {
    return;
  }
  const now = serverClock.now();
  const opensAt = Date.parse(activity.data.waitingRoom.opensAt);
  const place = line.place;
  let text;
  if (line.error) {
    text = i18n.error(line.error);
  }
  else if (!store.current) {
    text = i18n.t('line.logIn');
  }
  else if (now < opensAt) {
    text = i18n.t('line.opensIn', { time: duration(opensAt - now) });
  }
  else if (!line.joined || !place) {
    text = i18n.t('line.hint');
  }
  else if (place.state === 'PREQUEUE') {
    text = i18n.t('line.prequeue', { count: place.lineLength });
  }
  else if (place.state === 'WAITING') {
    text = i18n.t('line.waiting', { position: place.position, ahead: place.ahead,
      wait: duration(Math.max(1, place.estimatedWaitSeconds) * 1000) });
  }
  else if (place.state === 'ADMITTED') {
    text = i18n.t('line.admitted', { until: i18n.time(Date.parse(place.passExpiresAt)) });
  }
  else {
    text = i18n.t(`line.${place.state}`);
  }
  if (line.status.textContent !== text) {
    line.status.textContent = text;
  }
  line.node.dataset.state = line.joined && place ? place.state : 'OUT';
  line.progress.hidden = place?.state !== 'WAITING';
  line.progress.value = line.mostAhead > 0 && place?.ahead != null ? 1 - place.ahead / line.mostAhead : 0;
  line.progress.setAttribute('aria-label', i18n.t('line.progress'));
  line.button.textContent = i18n.t('line.join');
  line.button.hidden = !store.current || line.joined !== false || phase(activity.data, now) === 'ENDED'
      || line.challenge !== null;
  line.button.disabled = line.busy || now < opensAt || waiting(line);
  if (line.challenge && !line.busy && phase(activity.data, now) === 'ENDED') {
    closeChallenge(line);
  }
  else if (line.challenge && line.waitUntil && !waiting(line)) {
    // The wait the server asked for is over: the question can be answered again.
    line.waitUntil = 0;
    line.challenge.message = null;
    renderChallenge(line);
  }
}

// ---------- buying ----------
//
// One attempt is one Idempotency-Key and, once issued, one purchase token. It is kept while the
// outcome is unknown (no connection, 503) or the server asked to wait (RATE_LIMITED, NOT_STARTED):
// pressing Buy again then resends the same token and key, and the server answers that purchase at
// most once. A final answer ends the attempt; the next press starts a new one.

async function buy(entry) {
  if (entry.busy || entry.challenge || waiting(entry)) {
    return;
  }
  if (!store.current) {
    showNotice(i18n.t('orders.logIn'));
    document.getElementById('username').focus();
    return;
  }
  entry.attempt ??= { key: newKey(), token: null, renewed: false };
  await run(entry, async () => {
    if (entry.attempt.token) {
      await purchase(entry);
    }
    else if (entry.activity.data.challenge && !entry.activity.data.waitingRoom) {
      // (With a waiting room the challenge is the line's: the pass stands for it.)
      await openChallenge(entry, null);
    }
    else {
      await tokenThenPurchase(entry, null);
    }
  });
}

/** Runs one step of a purchase with the item marked busy, then shows the new stock. */
async function run(entry, step) {
  entry.busy = true;
  updateItem(entry);
  renderChallenge(entry);
  try {
    await step();
  }
  finally {
    entry.busy = false;
    updateItem(entry);
    renderChallenge(entry);
    // The stock has moved (by this purchase or others): show it now, not at the next refresh.
    loadActivities();
  }
}

/** Asks for a purchase token ({@code answer}: the challenge's, or null), then buys with it. */
async function tokenThenPurchase(entry, answer) {
  if (!entry.challenge) {
    setOutcome(entry, { kind: 'sending' });
  }
  const { activity, item } = entry;
  const reply = await untilStarted(entry, () => api('POST',
      `/api/v1/activities/${activity.data.id}/items/${item.id}/purchase-tokens`,
      { token: store.token, body: answer ?? undefined, headers: pass(activity) ? { 'Waiting-Room-Pass': pass(activity) } : {} }));
  if (reply.status === 201) {
    entry.attempt.token = reply.body.token;
    setOutcome(entry, { kind: 'sending' });
    closeChallenge(entry);
    await purchase(entry);
    return;
  }
  const code = reply.body.code ?? 'NETWORK';
  if (code === 'CHALLENGE_REQUIRED' || code === 'CHALLENGE_FAILED') {
    // CHALLENGE_REQUIRED: the sale asks for a challenge since the listing was loaded.
    await openChallenge(entry, code === 'CHALLENGE_FAILED' ? 'challenge.wrong' : null);
    return;
  }
  if (code === 'RATE_LIMITED' && entry.challenge) {
    // Too many wrong answers (or requests): the question stays open until the wait is over.
    waitFor(entry, reply.retryAfter);
    entry.challenge.message = { key: 'challenge.wait', seconds: reply.retryAfter ?? 1 };
    renderChallenge(entry);
    return;
  }
  failed(entry, code, reply);
  closeChallenge(entry);
  if (code.startsWith('WAITING_ROOM_')) {
    checkPlace(activity); // the turn may have passed: show where the shopper stands now
  }
}

/** The purchase itself, with the attempt's token and key (the same ones on every retry). */
async function purchase(entry) {
  const { activity, item, attempt } = entry;
  setOutcome(entry, { kind: 'sending' });
  const reply = await untilStarted(entry, () => api('POST',
      `/api/v1/activities/${activity.data.id}/items/${item.id}/purchases`, {
        token: store.token,
        headers: { 'Idempotency-Key': attempt.key, 'Purchase-Token': attempt.token },
      }));
  if (reply.status === 202) {
    await follow(entry, reply.body.ticket, false);
    return;
  }
  const code = reply.body.code ?? 'NETWORK';
  if (code === 'UNAVAILABLE' && reply.body.ticket) {
    await follow(entry, reply.body.ticket, true);
    return;
  }
  if (code === 'PURCHASE_TOKEN_EXPIRED' && !attempt.renewed) {
    // The token ran out while the outcome was unknown, and the server found no purchase under
    // this key (it would have answered with that purchase's ticket). A new token with the same
    // key is safe: an admission of the key would still be found by the key.
    attempt.token = null;
    attempt.renewed = true;
    if (activity.data.challenge && !activity.data.waitingRoom) {
      await openChallenge(entry, 'challenge.expired');
    }
    else {
      await tokenThenPurchase(entry, null);
    }
    return;
  }
  failed(entry, code, reply);
}

/**
 * Repeats a call while the server answers NOT_STARTED: the page's clock opened the sale a
 * little before the server's did. Gives up after NOT_STARTED_RETRY_MS.
 */
async function untilStarted(entry, call) {
  const started = performance.now();
  let delay = 250;
  for (;;) {
    const reply = await call();
    if (reply.body.code !== 'NOT_STARTED' || performance.now() - started > NOT_STARTED_RETRY_MS) {
      return reply;
    }
    if (delay === 250) {
      serverClock.sync(); // the countdown of every sale follows the corrected clock
    }
    if (!entry.challenge) {
      setOutcome(entry, { kind: 'opening' });
    }
    await sleep(delay);
    delay = Math.min(delay * 1.5, 1000);
  }
}

/** A rejection: ends the attempt unless the answer says the same purchase may be retried. */
function failed(entry, code, reply) {
  const retryable = code === 'UNAVAILABLE' || code === 'NETWORK' || code === 'RATE_LIMITED' || code === 'NOT_STARTED';
  if (!retryable) {
    entry.attempt = null;
  }
  if (code === 'RATE_LIMITED') {
    waitFor(entry, reply.retryAfter);
  }
  if (code === 'SOLD_OUT') {
    markSoldOut(entry);
  }
  if (code === 'UNAUTHENTICATED') {
    sessionEnded();
  }
  setOutcome(entry, { kind: 'failed', code, body: reply.body, retryAfter: reply.retryAfter ?? 1 });
}

/** Holds the item's buttons for the Retry-After the server named (1 s without one). */
function waitFor(entry, seconds) {
  entry.waitUntil = performance.now() + (seconds ?? 1) * 1000;
  updateItem(entry);
}

/** Whether the server's Retry-After holds {@code owner} (an item, or a sale's line). */
function waiting(owner) {
  return owner.waitUntil > performance.now();
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
        entry.attempt = null;
        setOutcome(entry, { kind: 'success', orderId: reply.body.orderId });
        loadOrders();
        return;
      }
      if (reply.body.status === 'FAILED') {
        entry.attempt = null;
        if (reply.body.reason === 'SOLD_OUT') {
          markSoldOut(entry);
        }
        setOutcome(entry, { kind: 'failed', code: reply.body.reason ?? 'FAILED', body: {} });
        return;
      }
    }
    else if (reply.status === 404 && unknown) {
      // Not admitted: the attempt (token and key) stays for a safe retry.
      setOutcome(entry, { kind: 'failed', code: 'UNAVAILABLE', body: {}, notAdmitted: true });
      return;
    }
    else if (reply.status === 401) {
      sessionEnded();
      setOutcome(entry, { kind: 'failed', code: 'UNAUTHENTICATED', body: reply.body });
      return;
    }
    else if (reply.status !== 0 && reply.status !== 503) {
      entry.attempt = null;
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

// ---------- the challenge ----------

/** Fetches a question and shows it in the item; {@code note}: why a new one is shown. */
async function openChallenge(entry, note) {
  entry.challenge ??= {};
  Object.assign(entry.challenge, { id: null, image: null, note, message: null });
  renderChallenge(entry);
  setOutcome(entry, null);
  const reply = await untilStarted(entry, () => api('POST', `/api/v1/activities/${entry.activity.data.id}/challenges`,
      { token: store.token }));
  if (reply.status === 201) {
    entry.challenge.id = reply.body.challengeId;
    entry.challenge.image = reply.body.image;
    entry.challengeParts.input.value = '';
    renderChallenge(entry);
    entry.challengeParts.input.focus();
    return;
  }
  failed(entry, reply.body.code ?? 'NETWORK', reply);
  closeChallenge(entry);
}

/** Hides the question of {@code owner} (an item, or a sale's line), keeping the focus near. */
function closeChallenge(owner) {
  if (!owner.challenge) {
    return;
  }
  const hadFocus = owner.challengeParts.form.contains(document.activeElement);
  owner.challenge = null;
  renderChallenge(owner);
  if (owner.item) {
    updateItem(owner);
  }
  if (hadFocus) {
    owner.afterChallenge.focus();
  }
}

/**
 * The question's form for {@code owner} ({challenge, busy, waitUntil}: an item, or a sale's
 * line): {@code answered({challengeId, answer})} sends an answer, {@code renewed()} asks for
 * another picture; {@code heading} and {@code submit} name the texts that say what it opens.
 */
function createChallenge(owner, id, { heading, submit, answered, renewed }) {
  const parts = {
    texts: { heading, submit },
    heading: el('h5', { id: `${id}-heading`, class: 'challenge-heading' }),
    prompt: el('p', { id: `${id}-prompt` }),
    note: el('p', { class: 'challenge-note', role: 'alert' }),
    image: el('img', { class: 'challenge-image', width: 160, height: 60, alt: '' }),
    label: el('label', { for: `${id}-answer` }),
    input: el('input', {
      id: `${id}-answer`, name: 'answer', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false',
      enterkeyhint: 'go', maxlength: 8, 'aria-describedby': `${id}-prompt ${id}-hint`,
    }),
    hint: el('p', { id: `${id}-hint`, class: 'hint' }),
    message: el('p', { class: 'form-message error', role: 'alert' }),
    submit: el('button', { type: 'submit' }),
    renew: el('button', { type: 'button', class: 'secondary' }),
  };
  parts.form = el('form', { class: 'challenge', novalidate: true, hidden: true, 'aria-labelledby': `${id}-heading` },
      parts.heading, parts.prompt, parts.note, parts.image,
      el('div', { class: 'field' }, parts.label, parts.input, parts.hint),
      parts.message,
      el('div', { class: 'actions' }, parts.submit, parts.renew));
  parts.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const challenge = owner.challenge;
    if (!challenge || !challenge.id || owner.busy || waiting(owner)) {
      return;
    }
    const answer = normaliseAnswer(parts.input.value);
    if (!answer) {
      challenge.message = { key: 'challenge.empty' };
      renderChallenge(owner);
      parts.input.focus();
      return;
    }
    challenge.message = null;
    answered({ challengeId: challenge.id, answer });
  });
  parts.renew.addEventListener('click', () => {
    if (!owner.busy && !waiting(owner)) {
      renewed();
    }
  });
  return parts;
}

function renderChallenge(owner) {
  const parts = owner.challengeParts;
  const challenge = owner.challenge;
  parts.form.hidden = !challenge;
  if (!challenge) {
    return;
  }
  parts.heading.textContent = i18n.t(parts.texts.heading);
  parts.prompt.textContent = challenge.image ? i18n.t('challenge.prompt') : i18n.t('challenge.loading');
  parts.note.textContent = challenge.note ? i18n.t(challenge.note) : '';
  parts.image.hidden = !challenge.image;
  if (challenge.image && parts.image.getAttribute('src') !== challenge.image) {
    parts.image.src = challenge.image;
  }
  parts.image.alt = i18n.t('challenge.image');
  parts.label.textContent = i18n.t('challenge.answer');
  parts.hint.textContent = i18n.t('challenge.hint');
  const message = challenge.message;
  parts.message.textContent = message ? i18n.t(message.key, message) : '';
  parts.submit.textContent = i18n.t(parts.texts.submit);
  parts.renew.textContent = i18n.t('challenge.new');
  const blocked = owner.busy || !challenge.id || waiting(owner);
  parts.submit.disabled = blocked;
  parts.renew.disabled = owner.busy || waiting(owner);
}

/** "７", "−2" or " -2 " as typed with other keyboards: ASCII digits and minus. */
function normaliseAnswer(text) {
  return text.replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xFEE0))
    .replace(/[−－—–]/g, '-')
    .replace(/\s+/g, '');
}

// ---------- outcomes ----------

function setOutcome(entry, outcome) {
  entry.outcome = outcome;
  renderOutcome(entry);
}

function renderOutcome(entry) {
  const box = entry.outcomeBox;
  const outcome = entry.outcome;
  box.replaceChildren();
  box.className = 'outcome';
  delete box.dataset.outcome;
  if (!outcome) {
    return;
  }
  box.dataset.outcome = outcome.kind === 'failed' ? outcome.code : outcome.kind;
  if (outcome.kind === 'sending' || outcome.kind === 'opening') {
    box.classList.add('pending');
    box.append(el('p', { class: 'outcome-title', text: i18n.t(`outcome.${outcome.kind}`) }));
    if (outcome.kind === 'opening') {
      box.append(el('p', { text: i18n.t('outcome.openingDetail') }));
    }
    return;
  }
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
  const title = i18n.has(`outcome.${code}`) ? i18n.t(`outcome.${code}`) : i18n.t('outcome.failed');
  box.append(el('p', { class: 'outcome-title', text: title }));
  const detail = code === 'RATE_LIMITED' ? i18n.t('outcome.retryIn', { seconds: outcome.retryAfter ?? 1 })
    : outcome.body && outcome.body.code ? i18n.error(outcome.body) : describeReason(code);
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

/** How often one press of Pay asks about a payment that is still being settled. */
const PAYMENT_ASKS = 30;

function payButton(orderId) {
  const button = el('button', { type: 'button', class: 'pay', 'aria-label': i18n.t('pay.label', { orderId }) },
      i18n.t('pay'));
  button.addEventListener('click', () => pay(orderId, button));
  return button;
}

async function pay(orderId, button) {
  button.disabled = true;
  button.textContent = i18n.t('pay.busy');
  let reply = await api('POST', `/api/v1/orders/${orderId}/payment`, { token: store.token });
  // A payment still being settled (another one running, or the provider slow to answer):
  // paying again is safe (the order is charged once), so ask again after Retry-After.
  for (let asked = 1; settling(reply) && asked < PAYMENT_ASKS; asked++) {
    paymentNotes.set(orderId, { kind: 'info', text: () => i18n.t('pay.settling', { orderId }) });
    await loadOrders();
    await sleep((reply.retryAfter ?? 1) * 1000);
    reply = await api('POST', `/api/v1/orders/${orderId}/payment`, { token: store.token });
  }
  if (reply.ok) {
    paymentNotes.set(orderId, { kind: 'success', text: () => i18n.t('pay.done', { orderId }) });
  }
  else {
    if (reply.status === 401) {
      sessionEnded();
    }
    const body = reply.body;
    paymentNotes.set(orderId, { kind: settling(reply) ? 'info' : 'error',
      text: () => i18n.t(settling(reply) ? 'pay.stillSettling' : 'pay.failed', { orderId, message: i18n.error(body) }) });
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

function settling(reply) {
  return reply.body?.code === 'PAYMENT_IN_PROGRESS' || reply.body?.code === 'PAYMENT_PENDING';
}

document.getElementById('orders-refresh').addEventListener('click', loadOrders);

// ---------- start ----------

languageSwitch(document.getElementById('lang'), () => {
  renderSession();
  renderListingStatus();
  activities.forEach((activity) => {
    activity.items.forEach((entry) => {
      updateItemData(entry);
      renderChallenge(entry);
      renderOutcome(entry);
    });
    renderLine(activity);
  });
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
