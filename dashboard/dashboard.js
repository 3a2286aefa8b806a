// ccproxy dashboard: vanilla JS, no build step. Reads /dashboard/api/snapshot for the initial
// state and /dashboard/api/events (server-sent events) for requests as they finish and plan usage
// as upstream answers report it.

const MAX_ROWS = 500;
const MINUTE = 60_000;
const FORMAT_NAMES = {
  'openai-chat': 'Chat',
  'openai-responses': 'Responses',
  'anthropic-messages': 'Messages',
};

const state = {
  requests: [], // newest first
  byId: new Map(),
  totals: {},
  perMinute: new Map(), // minute start -> { provider: tokens }
  providers: [], // provider ids, in colour order
  paused: false,
  held: [],
  selected: undefined,
  uptimeBase: 0,
  uptimeAt: 0,
  source: undefined,
};

const $ = (id) => document.getElementById(id);

/** Creates an element; children are nodes or text (never parsed as HTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

const numberFormat = new Intl.NumberFormat('en-US');
const fmtNumber = (value) =>
  value === undefined || value === null ? '–' : numberFormat.format(value);
const fmtMs = (ms) =>
  ms === undefined || ms === null
    ? '–'
    : ms < 1000
      ? `${ms} ms`
      : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const fmtFormat = (id) => FORMAT_NAMES[id] ?? id ?? '–';
const fmtTime = (iso) => new Date(iso).toLocaleTimeString('en-GB', { hour12: false });

function fmtDuration(seconds) {
  if (seconds < 0) seconds = 0;
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

function failed(request) {
  return (request.status ?? 0) >= 400 || request.errorCode !== undefined;
}

function providerIndex(provider) {
  if (provider === undefined) return 5;
  let index = state.providers.indexOf(provider);
  if (index === -1) {
    state.providers.push(provider);
    index = state.providers.length - 1;
    refreshProviderFilter();
  }
  return index % 6;
}

// ---- live requests -------------------------------------------------------------------------

function matches(request) {
  const provider = $('filter-provider').value;
  const status = $('filter-status').value;
  const model = $('filter-model').value.trim().toLowerCase();
  if (provider && request.provider !== provider) return false;
  if (status === 'ok' && failed(request)) return false;
  if (status === 'failed' && !failed(request)) return false;
  if (model) {
    const names = `${request.model ?? ''} ${request.upstreamModel ?? ''}`.toLowerCase();
    if (!names.includes(model)) return false;
  }
  return true;
}

function statusCell(request) {
  if (failed(request)) {
    const label = request.status && request.status >= 400 ? request.status : 'failed';
    return el(
      'td',
      { 'data-field': 'status' },
      el('span', { class: 'badge badge-bad' }, label),
      request.errorCode
        ? el('span', { class: 'sub', 'data-field': 'error-code' }, request.errorCode)
        : undefined,
    );
  }
  const cancelled = request.cancelled
    ? el('span', { class: 'sub' }, 'client went away')
    : undefined;
  return el(
    'td',
    { 'data-field': 'status' },
    el('span', { class: 'badge badge-ok' }, request.status ?? '–'),
    cancelled,
  );
}

function rowFor(request) {
  const model = request.upstreamModel
    ? [request.model ?? '–', el('span', { class: 'arrow' }, '→'), request.upstreamModel]
    : [request.model ?? '–'];
  const row = el(
    'tr',
    {
      'data-id': request.id,
      class: [failed(request) ? 'failed' : '', state.selected === request.id ? 'selected' : '']
        .join(' ')
        .trim(),
    },
    el('td', { 'data-field': 'time', class: 'mono' }, fmtTime(request.time)),
    el(
      'td',
      { 'data-field': 'provider' },
      el('span', { class: `swatch s${providerIndex(request.provider)}` }),
      request.provider ?? '–',
      request.account
        ? el('span', { class: 'sub', 'data-field': 'account' }, request.account)
        : undefined,
    ),
    el(
      'td',
      { 'data-field': 'formats' },
      fmtFormat(request.clientFormat),
      el('span', { class: 'arrow' }, '→'),
      fmtFormat(request.upstreamFormat),
      request.stream ? el('span', { class: 'sub' }, 'stream') : undefined,
    ),
    el('td', { 'data-field': 'mode' }, request.mode ?? '–'),
    el('td', { 'data-field': 'model' }, ...model),
    statusCell(request),
    el('td', { class: 'num', 'data-field': 'input' }, fmtNumber(request.inputTokens)),
    el('td', { class: 'num', 'data-field': 'output' }, fmtNumber(request.outputTokens)),
    el('td', { class: 'num', 'data-field': 'cached' }, fmtNumber(request.cachedTokens)),
    el('td', { class: 'num', 'data-field': 'reasoning' }, fmtNumber(request.reasoningTokens)),
    el('td', { class: 'num', 'data-field': 'ttfb' }, fmtMs(request.ttfbMs)),
    el('td', { class: 'num', 'data-field': 'duration' }, fmtMs(request.durationMs)),
    el(
      'td',
      { class: `num${request.warnings ? ' count-warn' : ''}`, 'data-field': 'warnings' },
      request.warnings,
    ),
    el(
      'td',
      { class: `num${request.unknownEvents ? ' count-warn' : ''}`, 'data-field': 'unknown' },
      request.unknownEvents,
    ),
  );
  row.addEventListener('click', () => showDetail(request.id));
  return row;
}

function renderRows() {
  const body = $('request-rows');
  body.replaceChildren(...state.requests.filter(matches).map(rowFor));
  $('requests-empty').hidden = state.requests.length > 0;
}

function addRequest(request, { render = true } = {}) {
  if (state.byId.has(request.id)) return;
  state.requests.unshift(request);
  state.byId.set(request.id, request);
  while (state.requests.length > MAX_ROWS) state.byId.delete(state.requests.pop().id);
  if (!render) return;
  $('requests-empty').hidden = true;
  if (matches(request)) $('request-rows').prepend(rowFor(request));
  const rows = $('request-rows');
  while (rows.children.length > MAX_ROWS) rows.lastElementChild.remove();
}

function refreshProviderFilter() {
  const select = $('filter-provider');
  const known = new Set([...select.options].map((option) => option.value));
  for (const provider of state.providers) {
    if (!known.has(provider)) select.append(el('option', { value: provider }, provider));
  }
}

// ---- request detail ------------------------------------------------------------------------

function showDetail(id) {
  const request = state.byId.get(id);
  if (!request) return;
  state.selected = id;
  for (const row of $('request-rows').children)
    row.classList.toggle('selected', row.dataset.id === id);
  $('detail-id').textContent = request.id;
  const error = $('detail-error');
  error.hidden = !failed(request);
  error.textContent = failed(request)
    ? `Failed${request.errorCode ? ` (${request.errorCode})` : ''}: ${request.error ?? 'the stream ended with an error after it started'}`
    : '';
  const fields = [
    ['Time', new Date(request.time).toLocaleString('en-GB', { hour12: false })],
    ['Request', `${request.method} ${request.path}`],
    ['Provider', request.provider],
    ['Account', request.account],
    ['Client format', fmtFormat(request.clientFormat)],
    ['Upstream format', fmtFormat(request.upstreamFormat)],
    ['Mode', request.mode],
    ['Stream', request.stream === undefined ? undefined : request.stream ? 'yes' : 'no'],
    ['Model asked', request.model],
    ['Model used', request.upstreamModel ?? request.model],
    ['Status', request.status],
    ['Upstream status', request.upstreamStatus],
    ['Finish reason', request.finishReason],
    ['Input tokens', fmtNumber(request.inputTokens)],
    ['Output tokens', fmtNumber(request.outputTokens)],
    ['Cached tokens', fmtNumber(request.cachedTokens)],
    ['Reasoning tokens', fmtNumber(request.reasoningTokens)],
    ['Time to first byte', fmtMs(request.ttfbMs)],
    ['Duration', fmtMs(request.durationMs)],
    ['Client went away', request.cancelled ? 'yes' : undefined],
  ];
  $('detail-fields').replaceChildren(
    ...fields
      .filter(([, value]) => value !== undefined && value !== null)
      .flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]),
  );
  const warnings = request.warningTexts ?? [];
  const more = request.warnings - warnings.length;
  $('detail-warnings').replaceChildren(
    ...(warnings.length === 0
      ? [el('li', { class: 'muted' }, 'None: nothing was dropped or changed.')]
      : []),
    ...warnings.map((text) => el('li', {}, text)),
    ...(more > 0 ? [el('li', { class: 'muted' }, `and ${more} more (see the log)`)] : []),
  );
  const unknown = request.unknownEventTypes ?? [];
  $('detail-unknown').replaceChildren(
    ...(request.unknownEvents === 0 ? [el('li', { class: 'muted' }, 'None.')] : []),
    ...unknown.map((type) => el('li', { class: 'mono' }, type)),
    ...(request.unknownEvents > 0
      ? [el('li', { class: 'muted' }, `${request.unknownEvents} event(s) tolerated and skipped`)]
      : []),
  );
  const capture = $('detail-capture');
  if (request.capture) {
    const copy = el('button', { type: 'button', class: 'btn', id: 'copy-replay' }, 'Copy');
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(request.replay);
        copy.textContent = 'Copied';
      } catch {
        copy.textContent = 'Select and copy';
      }
    });
    capture.replaceChildren(
      el(
        'ul',
        { class: 'list' },
        el('li', { class: 'mono' }, `${request.capture}.sse`),
        el('li', { class: 'mono' }, `${request.capture}.json`),
      ),
      el('div', { class: 'command' }, el('code', { id: 'replay-command' }, request.replay), copy),
    );
  } else {
    capture.replaceChildren(
      el(
        'p',
        { class: 'muted' },
        'Capture is off. Start ccproxy with --capture-dir DIR to keep each request’s upstream stream for replay.',
      ),
    );
  }
  $('detail').hidden = false;
}

function hideDetail() {
  state.selected = undefined;
  $('detail').hidden = true;
  for (const row of $('request-rows').children) row.classList.remove('selected');
}

// ---- usage ---------------------------------------------------------------------------------

function addUsage(request) {
  const provider = request.provider;
  if (provider === undefined) return;
  state.totals[provider] ??= {
    requests: 0,
    failed: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
  };
  const total = state.totals[provider];
  total.requests += 1;
  if (failed(request)) total.failed += 1;
  total.inputTokens += request.inputTokens ?? 0;
  total.outputTokens += request.outputTokens ?? 0;
  total.cachedTokens += request.cachedTokens ?? 0;
  total.reasoningTokens += request.reasoningTokens ?? 0;
  const tokens = (request.inputTokens ?? 0) + (request.outputTokens ?? 0);
  if (tokens === 0) return;
  const minute = Math.floor(Date.parse(request.finishedAt) / MINUTE) * MINUTE;
  const bucket = state.perMinute.get(minute) ?? {};
  bucket[provider] = (bucket[provider] ?? 0) + tokens;
  state.perMinute.set(minute, bucket);
}

function renderTotals() {
  const entries = Object.entries(state.totals);
  $('totals').replaceChildren(
    ...entries.map(([provider, total]) =>
      el(
        'tr',
        { 'data-provider': provider },
        el('td', {}, el('span', { class: `swatch s${providerIndex(provider)}` }), provider),
        el('td', { class: 'num' }, fmtNumber(total.requests)),
        el('td', { class: 'num' }, fmtNumber(total.failed)),
        el('td', { class: 'num', 'data-field': 'input' }, fmtNumber(total.inputTokens)),
        el('td', { class: 'num', 'data-field': 'output' }, fmtNumber(total.outputTokens)),
        el('td', { class: 'num' }, fmtNumber(total.cachedTokens)),
        el('td', { class: 'num' }, fmtNumber(total.reasoningTokens)),
      ),
    ),
  );
  $('totals-empty').hidden = entries.length > 0;
}

/** A nice axis maximum (1, 2, 5 × 10^n) at or above `value`. */
function niceMax(value) {
  if (value <= 0) return 100;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function renderChart() {
  const width = 720;
  const height = 200;
  const left = 52;
  const bottom = 22;
  const top = 8;
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const current = Math.floor(Date.now() / MINUTE) * MINUTE;
  const minutes = [];
  for (let i = 59; i >= 0; i--) minutes.push(current - i * MINUTE);
  for (const minute of state.perMinute.keys())
    if (minute < minutes[0]) state.perMinute.delete(minute);
  const sums = minutes.map((minute) =>
    Object.values(state.perMinute.get(minute) ?? {}).reduce((a, b) => a + b, 0),
  );
  const max = niceMax(Math.max(...sums));
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': 'Tokens per minute per provider over the last hour',
  });
  for (const fraction of [0, 0.5, 1]) {
    const y = top + plotHeight - fraction * plotHeight;
    chart.append(svg('line', { class: 'grid-line', x1: left, x2: width - 8, y1: y, y2: y }));
    const label = svg('text', { class: 'axis-label', x: left - 6, y: y + 4, 'text-anchor': 'end' });
    label.textContent = fmtCompact(max * fraction);
    chart.append(label);
  }
  const slot = plotWidth / minutes.length;
  minutes.forEach((minute, index) => {
    const bucket = state.perMinute.get(minute);
    if (!bucket) return;
    let y = top + plotHeight;
    for (const provider of Object.keys(bucket).sort(
      (a, b) => providerIndex(a) - providerIndex(b),
    )) {
      const h = (bucket[provider] / max) * plotHeight;
      y -= h;
      const bar = svg('rect', {
        class: `s${providerIndex(provider)}`,
        x: left + index * slot + 1,
        y,
        width: Math.max(slot - 2, 1),
        height: Math.max(h, 1),
        'data-provider': provider,
        'data-minute': minute,
        'data-tokens': bucket[provider],
      });
      const title = svg('title');
      title.textContent = `${new Date(minute).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })} · ${provider}: ${fmtNumber(bucket[provider])} tokens`;
      bar.append(title);
      chart.append(bar);
    }
  });
  for (const [index, text] of [
    [0, '60 min ago'],
    [30, '30 min ago'],
    [59, 'now'],
  ]) {
    const label = svg('text', {
      class: 'axis-label',
      x: left + index * slot + slot / 2,
      y: height - 6,
      'text-anchor': index === 0 ? 'start' : index === 59 ? 'end' : 'middle',
    });
    label.textContent = text;
    chart.append(label);
  }
  $('chart').replaceChildren(chart);
  const shown = state.providers.filter((provider) => state.totals[provider]);
  $('legend').replaceChildren(
    ...(shown.length === 0
      ? [el('span', {}, 'No tokens in the last hour.')]
      : shown.map((provider) =>
          el('span', {}, el('span', { class: `swatch s${providerIndex(provider)}` }), provider),
        )),
  );
}

function fmtCompact(value) {
  if (value >= 1_000_000) return `${+(value / 1_000_000).toFixed(1)}M`;
  if (value >= 1000) return `${+(value / 1000).toFixed(1)}k`;
  return String(Math.round(value));
}

// ---- plan usage and health -----------------------------------------------------------------

function windowName(minutes) {
  if (minutes === 300) return '5-hour';
  if (minutes === 10080) return 'Weekly';
  if (minutes % 1440 === 0) return `${minutes / 1440}-day`;
  if (minutes % 60 === 0) return `${minutes / 60}-hour`;
  return `${minutes} min`;
}

function renderPlanUsage(accounts, now) {
  const target = $('plan-usage');
  if (!accounts || accounts.length === 0) {
    target.replaceChildren(
      el(
        'p',
        { class: 'empty', id: 'plan-empty' },
        'Not reported yet: no upstream answer has carried plan usage since ccproxy started.',
      ),
    );
    return;
  }
  target.replaceChildren(
    ...accounts.map((account) =>
      el(
        'div',
        { class: 'account', 'data-provider': account.provider, 'data-account': account.account },
        el('div', { class: 'account-name' }, `${account.provider} · ${account.account}`),
        ...account.windows.map((window) => {
          const percent = Math.round(window.usedRatio * 100);
          const fill = el('div', {
            class: `bar-fill${percent >= 100 ? ' full' : percent >= 80 ? ' high' : ''}`,
            'data-percent': percent,
          });
          fill.style.width = `${Math.min(Math.max(percent, 0), 100)}%`;
          const resets = window.resetsAt
            ? ` · resets in ${fmtDuration((Date.parse(window.resetsAt) - now) / 1000)}`
            : '';
          return el(
            'div',
            { class: 'window', 'data-window': window.windowMinutes },
            el('span', {}, windowName(window.windowMinutes)),
            el('div', { class: 'bar' }, fill),
            el(
              'span',
              { class: 'window-text' },
              el('strong', { 'data-field': 'percent' }, `${percent}%`),
              resets,
            ),
          );
        }),
      ),
    ),
  );
}

function credentialBadge(state) {
  const kind = state === 'present' ? 'ok' : state === 'expired' ? 'warn' : 'bad';
  return el('span', { class: `badge badge-${kind}` }, state);
}

function relative(iso, now) {
  const ms = Date.parse(iso) - now;
  return ms >= 0 ? `in ${fmtDuration(ms / 1000)}` : `${fmtDuration(-ms / 1000)} ago`;
}

function refreshText(status, now) {
  if (status.refreshable === undefined) return '–';
  if (!status.refreshable) return 'needs login';
  if (!status.refreshAt) return 'automatic';
  return Date.parse(status.refreshAt) > now
    ? `automatic, ${relative(status.refreshAt, now)}`
    : 'automatic, at the next request';
}

function renderHealth(snapshot) {
  const now = Date.parse(snapshot.now);
  $('health').replaceChildren(
    ...Object.entries(snapshot.providers).map(([id, status]) => {
      providerIndex(id);
      const expires = status.expiresAt ? relative(status.expiresAt, now) : '–';
      return el(
        'tr',
        { 'data-provider': id },
        el('td', {}, el('span', { class: `swatch s${providerIndex(id)}` }), id),
        el(
          'td',
          { 'data-field': 'state' },
          credentialBadge(status.state),
          status.detail ? el('span', { class: 'sub' }, status.detail) : undefined,
        ),
        el('td', {}, status.account ?? '–'),
        el('td', {}, status.plan ?? '–'),
        el('td', { title: status.expiresAt ?? '' }, expires),
        el('td', { 'data-field': 'refresh' }, refreshText(status, now)),
      );
    }),
  );
  $('plugins').replaceChildren(
    ...snapshot.plugins.map((name) => el('span', { class: 'chip' }, name)),
  );
  $('capture-state').textContent = snapshot.capture.enabled
    ? `capture on · ${snapshot.capture.dir}`
    : 'capture off';
  $('version').textContent = snapshot.version;
  $('logout-form').hidden = snapshot.auth !== 'key';
  state.uptimeBase = snapshot.uptimeSeconds;
  state.uptimeAt = Date.now();
  tickUptime();
}

function tickUptime() {
  if (!state.uptimeAt) return;
  $('uptime').textContent = fmtDuration(state.uptimeBase + (Date.now() - state.uptimeAt) / 1000);
}

// ---- data flow -----------------------------------------------------------------------------

async function loadSnapshot({ full }) {
  const response = await fetch('/dashboard/api/snapshot', { cache: 'no-store' });
  if (response.status === 401) {
    window.location.reload();
    return;
  }
  if (!response.ok) throw new Error(`snapshot: HTTP ${response.status}`);
  const snapshot = await response.json();
  renderHealth(snapshot);
  renderPlanUsage(snapshot.planUsage, Date.parse(snapshot.now));
  if (full) {
    // The server's history is the truth after a (re)connect: rebuild from it.
    state.totals = snapshot.usage.totals;
    state.perMinute = new Map(
      snapshot.usage.perMinute
        .filter((b) => Object.keys(b.tokens).length > 0)
        .map((b) => [b.minute, b.tokens]),
    );
    state.requests = [];
    state.byId = new Map();
    for (const request of snapshot.requests) addRequest(request, { render: false });
    $('since').textContent =
      `since ${new Date(snapshot.usage.since).toLocaleString('en-GB', { hour12: false })}`;
    renderRows();
    renderTotals();
    renderChart();
  }
}

function setConnection(kind, text) {
  const node = $('connection');
  node.className = `conn conn-${kind}`;
  $('connection-text').textContent = text;
}

function onRequest(request) {
  if (state.paused) {
    state.held.push(request);
    $('pause').textContent = `Resume (${state.held.length} new)`;
    return;
  }
  addUsage(request);
  addRequest(request);
  renderTotals();
  renderChart();
}

function connect() {
  state.source?.close();
  const source = new EventSource('/dashboard/api/events');
  state.source = source;
  source.addEventListener('hello', () => {
    loadSnapshot({ full: true })
      .then(() => setConnection(state.paused ? 'paused' : 'live', state.paused ? 'paused' : 'live'))
      .catch(() => setConnection('reconnecting', 'reconnecting'));
  });
  source.addEventListener('request', (event) => onRequest(JSON.parse(event.data)));
  // Sent as soon as an upstream answer reports plan usage.
  source.addEventListener('usage', (event) => {
    const usage = JSON.parse(event.data);
    renderPlanUsage(usage.planUsage, Date.parse(usage.now));
  });
  source.addEventListener('error', () => {
    setConnection('reconnecting', 'reconnecting');
    // EventSource retries by itself unless the answer was not an event stream; then we retry.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  });
}

function togglePause() {
  state.paused = !state.paused;
  const button = $('pause');
  button.classList.toggle('active', state.paused);
  if (state.paused) {
    button.textContent = 'Resume';
    setConnection('paused', 'paused');
    return;
  }
  button.textContent = 'Pause';
  const held = state.held;
  state.held = [];
  for (const request of held) {
    addUsage(request);
    addRequest(request, { render: false });
  }
  renderRows();
  renderTotals();
  renderChart();
  setConnection('live', 'live');
}

function start() {
  for (const id of ['filter-provider', 'filter-status'])
    $(id).addEventListener('change', renderRows);
  $('filter-model').addEventListener('input', renderRows);
  $('pause').addEventListener('click', togglePause);
  $('detail-close').addEventListener('click', hideDetail);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') hideDetail();
  });
  renderChart();
  connect();
  setInterval(tickUptime, 1000);
  setInterval(renderChart, MINUTE / 2);
  // Health changes without requests (token expiry), and the time to each reset moves on.
  setInterval(() => loadSnapshot({ full: false }).catch(() => {}), 15_000);
}

start();
