/*
 * capflow's auditor page. Plain JavaScript, no build step: it reads the audit API with the key the
 * auditor gives it and draws the reports. The Content-Security-Policy allows scripts from this
 * origin only, so nothing here uses eval, inline handlers or innerHTML with data: every node is
 * built with the DOM, and the one HTML string (ECharts' tooltip) is escaped.
 *
 * Sections: key handling · the view (policy, as of, known at) · the API · formatting ·
 * renderers (round trips, trace, flows, balances, commitments, credits, restatements) ·
 * the stored-fact dialog · CSV downloads · start-up.
 */
'use strict';

(function capflowAuditPage() {
  // ---------------------------------------------------------------------------------------------
  // State

  /** sessionStorage, not localStorage: the key lives as long as the tab, never on disk for good. */
  const KEY_STORAGE = 'capflow.apiKey';

  const state = {
    key: null,
    policy: 'fifo',
    asOf: '',
    knownAt: '',
    /** The investment whose trace is open. */
    selected: null,
    /** Round-trip reports of the current view, by policy (promises, so one request serves all). */
    roundTrips: new Map(),
    flows: null,
    flowCurrency: null,
    /** Index of the cycle picked out in the graph, or null. */
    focusedCycle: null,
  };

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------------------------------------
  // DOM helpers

  /** h('td', { class: 'num', title: '…' }, child, …): an element; null/false children are skipped. */
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    appendChildren(node, children);
    return node;
  }

  function appendChildren(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
  }

  function replaceChildren(node, ...children) {
    node.textContent = '';
    appendChildren(node, children);
  }

  /** A table row saying there is nothing to show, across every column. */
  function emptyRow(columns, text) {
    return h('tr', { class: 'empty' }, h('td', { colspan: columns }, text));
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  // ---------------------------------------------------------------------------------------------
  // Money and time. Amounts arrive as exact decimal strings ("1234.50"); they are only ever turned
  // into floating point to abbreviate them for display, never to add them up.

  /** "-1234567.8" → "-1,234,567.8" */
  function groupDigits(amount) {
    const negative = amount.startsWith('-');
    const [whole, fraction] = amount.replace(/^[-+]/, '').split('.');
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return (negative ? '-' : '') + grouped + (fraction === undefined ? '' : '.' + fraction);
  }

  /** The exact value as people read it: "3,800.00 USD". */
  function exactMoney(amount, currency) {
    return `${groupDigits(amount)} ${currency}`;
  }

  const SCALES = [
    [1e6, 'M'],
    [1e9, 'B'],
    [1e12, 'T'],
  ];

  /** Three significant digits from a million up ("13.0B", "1.23M", "450M"); below that, exact. */
  function abbreviate(amount) {
    const value = Number(amount);
    const magnitude = Math.abs(value);
    for (let index = SCALES.length - 1; index >= 0; index -= 1) {
      const [scale, suffix] = SCALES[index];
      if (magnitude < scale) continue;
      const shown = Number((magnitude / scale).toPrecision(3));
      // 999.96M rounds to 1000M: say 1.00B instead
      const next = SCALES[index + 1];
      const text = shown >= 1000 && next ? (magnitude / next[0]).toPrecision(3) + next[1] : (magnitude / scale).toPrecision(3) + suffix;
      return (value < 0 ? '−' : '') + text;
    }
    return groupDigits(amount).replace(/^-/, '−');
  }

  const isZero = (amount) => /^-?0*(\.0*)?$/.test(amount);

  /** An amount for a table cell or a sentence: abbreviated, its currency beside it, the exact value on hover. */
  function money(amount, currency) {
    return h(
      'span',
      {
        class: 'money' + (isZero(amount) ? ' zero' : '') + (amount.startsWith('-') ? ' negative' : ''),
        title: exactMoney(amount, currency),
        'data-value': amount,
      },
      abbreviate(amount),
      ' ',
      h('span', { class: 'ccy' }, currency),
    );
  }

  /** A numeric table cell holding an amount; the cell carries the exact value too, for tests and copy. */
  function moneyCell(amount, currency, props) {
    return h('td', { class: 'num', title: exactMoney(amount, currency), 'data-value': amount, ...props }, money(amount, currency));
  }

  /** Exact decimal arithmetic on the API's strings, in BigInt minor units. */
  function sumDecimals(amounts) {
    const scale = Math.max(0, ...amounts.map((amount) => (amount.split('.')[1] || '').length));
    const toUnits = (amount) => {
      const [whole, fraction = ''] = amount.replace(/^[-+]/, '').split('.');
      const units = BigInt(whole + fraction.padEnd(scale, '0'));
      return amount.startsWith('-') ? -units : units;
    };
    const total = amounts.reduce((sum, amount) => sum + toUnits(amount), 0n);
    const digits = (total < 0n ? -total : total).toString().padStart(scale + 1, '0');
    const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return (total < 0n ? '-' : '') + text;
  }

  const negate = (amount) => (amount.startsWith('-') ? amount.slice(1) : '-' + amount);

  /** Whether two decimal strings are the same amount, whatever their scales ("0" and "0.00"). */
  const sameAmount = (a, b) => isZero(sumDecimals([a, negate(b)]));

  /** An ISO instant, shown as the API gave it; the date alone where space is short, the instant on hover. */
  function isoTime(instant, dateOnly) {
    if (!instant) return h('span', { class: 'muted' }, '—');
    return h('time', { datetime: instant, title: instant }, dateOnly ? instant.slice(0, 10) : instant);
  }

  function percent(ratio) {
    return `${(ratio * 100).toFixed(2)}%`;
  }

  // ---------------------------------------------------------------------------------------------
  // The API

  /** What the API answered instead of the report: its {statusCode, code, detail, requestId}. */
  class ApiFailure extends Error {
    constructor(status, body) {
      super(body.detail || `HTTP ${status}`);
      this.status = status;
      this.code = body.code || 'http_' + status;
      this.requestId = body.requestId || null;
    }
  }

  /** The current view's query parameters: only those that are set (the API refuses unknown or empty ones). */
  function viewParams() {
    const params = {};
    if (state.asOf) params.asOf = state.asOf;
    if (state.knownAt) params.knownAt = state.knownAt;
    return params;
  }

  /**
   * GET an API path. The key travels in the Authorization header only: a URL (query string or
   * fragment) ends up in histories, logs and Referer headers.
   */
  async function apiFetch(path, params, accept) {
    if (!state.key) throw new ApiFailure(401, { code: 'unauthenticated', detail: 'no API key given yet' });
    const url = new URL(path, window.location.origin);
    for (const [name, value] of Object.entries(params || {})) url.searchParams.set(name, value);
    let response;
    try {
      response = await fetch(url, {
        headers: { Authorization: `Bearer ${state.key}`, Accept: accept },
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (error) {
      throw new ApiFailure(0, { code: 'unreachable', detail: `the API could not be reached (${error.message})` });
    }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new ApiFailure(response.status, body);
    }
    return response;
  }

  async function apiJson(path, params) {
    return (await apiFetch(path, params, 'application/json')).json();
  }

  /**
   * Each section loads on its own; a newer request for a section makes an older answer stale, so
   * a slow reply to an earlier date can never overwrite the figures of the date now chosen.
   */
  const tickets = new Map();
  function takeTicket(section) {
    const mine = (tickets.get(section) || 0) + 1;
    tickets.set(section, mine);
    return () => tickets.get(section) === mine;
  }

  function roundTripsFor(policy) {
    if (!state.roundTrips.has(policy)) {
      const request = apiJson('/api/reports/round-trips', { policy, ...viewParams() });
      request.catch(() => state.roundTrips.delete(policy)); // a failure is not remembered
      state.roundTrips.set(policy, request);
    }
    return state.roundTrips.get(policy);
  }

  // ---------------------------------------------------------------------------------------------
  // Notices: what went wrong, said so that an auditor knows what to do next

  function showNotice(kind, ...content) {
    const notice = $('notice');
    notice.className = `notice ${kind}`;
    replaceChildren(notice, ...content);
    notice.hidden = false;
  }

  function clearNotice() {
    $('notice').hidden = true;
  }

  function explainFailure(failure) {
    const reference = failure.requestId ? h('span', { class: 'muted' }, ` (request ${failure.requestId})`) : null;
    if (failure.status === 401) {
      markKey('refused');
      return showNotice(
        'error',
        h('strong', {}, 'The API refused the key (401). '),
        failure.message,
        '. Paste a valid auditor key above: ',
        h('code', {}, 'capflow serve'),
        ' prints one for each run.',
        reference,
      );
    }
    if (failure.status === 403) {
      markKey('refused');
      return showNotice(
        'error',
        h('strong', {}, 'This key may not read the reports (403). '),
        failure.message,
        '. Use a key with the auditor role.',
        reference,
      );
    }
    if (failure.status === 429)
      return showNotice('error', h('strong', {}, 'Too many requests (429). '), 'Wait a minute and try again.', reference);
    if (failure instanceof ApiFailure)
      return showNotice('error', h('strong', {}, `The API answered ${failure.status || ''} ${failure.code}: `), failure.message, reference);
    showNotice('error', h('strong', {}, 'The page failed: '), String(failure && failure.message ? failure.message : failure));
    console.error(failure);
  }

  // ---------------------------------------------------------------------------------------------
  // The key

  /**
   * `capflow serve` prints the page's URL with the auditor key in the fragment (#key=…). The
   * fragment never reaches the server; the key moves to sessionStorage and leaves the address
   * bar at once, so it is neither bookmarked nor shown on screen.
   */
  function takeKeyFromFragment() {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const key = fragment.get('key');
    if (!key) return;
    sessionStorage.setItem(KEY_STORAGE, key);
    fragment.delete('key');
    const rest = fragment.toString();
    window.history.replaceState(null, '', window.location.pathname + window.location.search + (rest ? `#${rest}` : ''));
  }

  function markKey(status) {
    const label = { set: 'key in use for this tab', refused: 'key refused', none: 'no key' }[status];
    const node = $('key-state');
    node.textContent = label;
    node.dataset.status = status;
  }

  function useKey(key) {
    state.key = key;
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
    markKey(key ? 'set' : 'none');
  }

  function askForKey() {
    document.body.dataset.state = 'no-key';
    showNotice(
      'info',
      h('strong', {}, 'An API key is needed. '),
      'Paste the auditor key that ',
      h('code', {}, 'capflow serve'),
      ' printed (or open the page URL it printed, which carries the key).',
    );
    $('key-input').focus();
  }

  function bindKeyForm() {
    $('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = $('key-input');
      const key = input.value.trim();
      input.value = '';
      if (!key) return;
      useKey(key);
      loadView();
    });
    $('key-forget').addEventListener('click', () => {
      useKey(null);
      clearReports();
      askForKey();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // The view: policy, as of (business time), known at (ledger time)

  function describeView() {
    const parts = [];
    const when = (value) => (value.length === 10 ? `the end of ${value} (UTC)` : value);
    parts.push(state.asOf ? `facts as of ${when(state.asOf)}` : 'every fact');
    if (state.knownAt) parts.push(`as known at ${when(state.knownAt)}`);
    return parts.join(', ');
  }

  function bindViewControls() {
    for (const radio of document.querySelectorAll('input[name="policy"]')) {
      radio.addEventListener('change', () => {
        if (!radio.checked) return;
        state.policy = radio.value;
        // The policy changes the round trips only; the other reports do not depend on it.
        loadRoundTrips();
        if (state.selected) emphasisePolicy();
      });
    }
    bindTimeInput('as-of', 'asOf');
    bindTimeInput('known-at', 'knownAt');
    $('view-latest').addEventListener('click', () => {
      for (const id of ['as-of', 'known-at']) {
        $(id).value = '';
        $(id).removeAttribute('aria-invalid');
      }
      state.asOf = '';
      state.knownAt = '';
      loadView();
    });
    $('verify').addEventListener('click', verifyChain);
  }

  /** What the API takes for asOf and knownAt: a date, or an RFC 3339 instant with its offset. */
  const TIME_INPUT = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:\d{2}))?$/;

  /**
   * A text field rather than <input type="date">: the browser shows a date input in its own
   * locale (mm/dd/yyyy), and auditors read and type ISO 8601. The view moves on change (Enter or
   * leaving the field) once the text is well formed; the API has the last word on validity.
   */
  function bindTimeInput(id, name) {
    const input = $(id);
    input.addEventListener('change', () => {
      const value = input.value.trim().replace(' ', 'T');
      const valid = value === '' || TIME_INPUT.test(value);
      input.setAttribute('aria-invalid', String(!valid));
      input.title = valid ? '' : 'Type a date (YYYY-MM-DD) or an RFC 3339 instant (2025-11-04T09:00:00Z)';
      if (!valid || value === state[name]) return;
      input.value = value;
      state[name] = value;
      loadView();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Loading

  /** Reloads every report for the current view (a new date, a new key). */
  function loadView() {
    if (!state.key) return askForKey();
    clearNotice();
    state.roundTrips = new Map();
    document.body.dataset.state = 'loading';
    $('view-status').textContent = `Loading ${describeView()}…`;
    const loads = [
      loadRoundTrips(),
      loadSection('flows', '/api/reports/flows', renderFlows),
      loadSection('balances', '/api/balances', renderBalances),
      loadSection('commitments', '/api/reports/commitments', renderCommitments),
      loadSection('credits', '/api/reports/credits', renderCredits),
      loadSection('restatements', '/api/reports/restatements', renderRestatements),
    ];
    if (state.selected) loads.push(openTrace(state.selected, { scroll: false }));
    const current = takeTicket('view');
    Promise.all(loads).then((results) => {
      if (!current()) return;
      const ok = results.every(Boolean);
      document.body.dataset.state = ok ? 'ready' : 'error';
      $('view-status').textContent = ok ? `Showing ${describeView()}.` : '';
    });
  }

  /** Loads one report and renders it; resolves true when it was shown. */
  async function loadSection(section, path, render) {
    const current = takeTicket(section);
    try {
      const report = await apiJson(path, viewParams());
      if (current()) render(report);
      return true;
    } catch (failure) {
      if (current()) explainFailure(failure);
      return false;
    }
  }

  async function loadRoundTrips() {
    const current = takeTicket('round-trips');
    const table = $('round-trips');
    const requested = { policy: state.policy, asOf: state.asOf, knownAt: state.knownAt };
    table.setAttribute('aria-busy', 'true');
    try {
      const report = await roundTripsFor(requested.policy);
      if (!current()) return true;
      renderRoundTrips(report);
      // What the table shows now, for tests and for anyone reading the DOM.
      table.dataset.policy = requested.policy;
      table.dataset.asOf = requested.asOf;
      table.dataset.knownAt = requested.knownAt;
      return true;
    } catch (failure) {
      if (current()) {
        replaceChildren($('round-trips-body'), emptyRow(11, 'The round trips could not be loaded.'));
        explainFailure(failure);
      }
      return false;
    } finally {
      if (current()) table.setAttribute('aria-busy', 'false');
    }
  }

  /** Empties every report (the key was forgotten): nothing read with it stays on screen. */
  function clearReports() {
    for (const id of [
      'round-trips-body',
      'flow-edges-body',
      'balances-head',
      'balances-body',
      'commitments-body',
      'credits-body',
      'restatements-body',
      'cycles',
    ])
      replaceChildren($(id));
    closeTrace();
    if (flowChart) flowChart.clear();
    $('integrity').textContent = '';
    $('view-status').textContent = '';
  }

  // ---------------------------------------------------------------------------------------------
  // Round trips

  const ROUND_TRIP_AMOUNTS = ['committed', 'fundedCash', 'fundedCredits', 'returnedCash', 'returnedCapital', 'returnedCredits'];

  function renderRoundTrips(report) {
    const rows = report.investments.map(roundTripRow);
    replaceChildren($('round-trips-body'), rows.length ? rows : emptyRow(11, 'No investment had been committed in this view.'));
  }

  function roundTripRow(row) {
    const open = () => openTrace(row.investmentId, { scroll: true });
    return h(
      'tr',
      {
        'data-testid': 'round-trip-row',
        'data-investment': row.investmentId,
        class: 'clickable' + (row.investmentId === state.selected ? ' selected' : ''),
        onclick: open,
      },
      h(
        'th',
        { scope: 'row' },
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            'data-testid': 'open-trace',
            title: `Trace ${row.investmentId}`,
            onclick: (event) => {
              event.stopPropagation(); // the row's own handler would open it a second time
              open();
            },
          },
          row.investmentId,
        ),
      ),
      h('td', {}, row.investorId, row.investorGroup !== row.investorId ? h('span', { class: 'sub' }, `group ${row.investorGroup}`) : null),
      h('td', {}, row.investeeId),
      ROUND_TRIP_AMOUNTS.map((field) => moneyCell(row[field], row.currency, { 'data-testid': `round-trip-${field}` })),
      ratioCell(row),
      moneyCell(row.commitmentsToInvestorGroup, row.currency, { 'data-testid': 'round-trip-commitmentsToInvestorGroup' }),
    );
  }

  function ratioCell(row) {
    const props = {
      class: 'num ratio',
      'data-testid': 'round-trip-roundTripRatio',
      'data-value': row.roundTripRatio === null ? '' : String(row.roundTripRatio),
    };
    if (row.roundTripRatio === null) return h('td', { ...props, title: 'nothing funded yet' }, h('span', { class: 'muted' }, '—'));
    const title =
      `${row.roundTripRatio} = (returned cash ${groupDigits(row.returnedCash)} + returned credits ${groupDigits(row.returnedCredits)})` +
      ` / (funded cash ${groupDigits(row.fundedCash)} + funded credits ${groupDigits(row.fundedCredits)}) ${row.currency}`;
    const width = Math.max(0, Math.min(1, row.roundTripRatio)) * 100;
    return h(
      'td',
      { ...props, title },
      h('span', { class: 'bar' }, h('span', { class: 'bar-fill', style: `width:${width.toFixed(1)}%` })),
      h('span', { class: 'ratio-value' }, percent(row.roundTripRatio)),
    );
  }

  function markSelectedRow() {
    for (const row of document.querySelectorAll('[data-testid="round-trip-row"]'))
      row.classList.toggle('selected', row.dataset.investment === state.selected);
  }

  // ---------------------------------------------------------------------------------------------
  // Trace: one investment's money

  async function openTrace(investmentId, { scroll }) {
    state.selected = investmentId;
    markSelectedRow();
    const panel = $('trace');
    panel.hidden = false;
    panel.setAttribute('aria-busy', 'true');
    $('trace-title').textContent = `Trace · ${investmentId}`;
    if (scroll) panel.scrollIntoView({ block: 'nearest' });
    const current = takeTicket('trace');
    try {
      const [trace, fifo, proRata] = await Promise.all([
        apiJson(`/api/reports/trace/${encodeURIComponent(investmentId)}`, viewParams()),
        roundTripsFor('fifo'),
        roundTripsFor('pro_rata'),
      ]);
      if (!current()) return true;
      const rowOf = (report) => report.investments.find((row) => row.investmentId === investmentId) || null;
      renderTrace(trace, { fifo: rowOf(fifo), pro_rata: rowOf(proRata) });
      panel.dataset.investment = investmentId;
      return true;
    } catch (failure) {
      if (!current()) return true;
      if (failure.status === 404) {
        // Not an error of the page: the investment did not exist yet at the chosen date.
        $('trace-subtitle').textContent = '';
        replaceChildren(
          $('trace-body'),
          h('p', { class: 'muted' }, `${investmentId} is not in this view of the ledger (${failure.message}).`),
        );
        return true;
      }
      explainFailure(failure);
      return false;
    } finally {
      if (current()) panel.setAttribute('aria-busy', 'false');
    }
  }

  function closeTrace() {
    state.selected = null;
    takeTicket('trace');
    $('trace').hidden = true;
    markSelectedRow();
  }

  function renderTrace(trace, rows) {
    const row = rows.fifo || rows.pro_rata;
    $('trace-subtitle').textContent = row
      ? `${row.investorId} (group ${row.investorGroup}) → ${row.investeeId}, ${trace.currency}. Every flow that carried this investment's tag, in business order, under both policies.`
      : `${trace.currency}. Every flow that carried this investment's tag, in business order, under both policies.`;
    replaceChildren(
      $('trace-body'),
      traceFlowsTable(trace),
      h(
        'div',
        { class: 'whereabouts' },
        ['fifo', 'pro_rata'].map((policy) => whereabouts(trace, policy, rows[policy])),
      ),
    );
    emphasisePolicy();
  }

  function traceFlowsTable(trace) {
    const body = trace.flows.map((flow) =>
      h(
        'tr',
        { 'data-testid': 'trace-flow', 'data-event-id': flow.eventId },
        h(
          'td',
          { class: 'num' },
          h(
            'button',
            { type: 'button', class: 'link mono', title: `Show stored fact ${flow.eventId}`, onclick: () => showEvent(flow.eventId) },
            `#${flow.position}`,
          ),
        ),
        h('td', {}, isoTime(flow.occurredAt)),
        h('td', {}, flow.type),
        h('td', {}, flow.from, h('span', { class: 'arrow' }, ' → '), flow.to),
        ['fifo', 'pro_rata'].map((policy) =>
          moneyCell(flow.amount[policy], trace.currency, {
            'data-policy': policy,
            'data-testid': `trace-amount-${policy}`,
            class: 'num' + (isZero(flow.amount[policy]) ? ' dim' : ''),
          }),
        ),
        h(
          'td',
          { class: 'home' },
          ['fifo', 'pro_rata'].map((policy) =>
            flow.returned[policy]
              ? h(
                  'span',
                  { class: 'tag home-tag', 'data-policy': policy, title: `under ${policy}, this money reached the investor's group` },
                  `home · ${policy}`,
                )
              : null,
          ),
        ),
      ),
    );
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid', 'data-testid': 'trace-flows' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', class: 'num', title: 'position in the ledger; select to see the stored fact' }, 'Pos.'),
            h('th', { scope: 'col' }, 'Occurred at'),
            h('th', { scope: 'col' }, 'Fact'),
            h('th', { scope: 'col' }, 'From → to'),
            h('th', { scope: 'col', class: 'num', 'data-policy': 'fifo' }, 'Carried · fifo'),
            h('th', { scope: 'col', class: 'num', 'data-policy': 'pro_rata' }, 'Carried · pro_rata'),
            h('th', { scope: 'col' }, 'Back home'),
          ),
        ),
        h('tbody', {}, body.length ? body : emptyRow(7, 'No flow carried this investment in this view.')),
      ),
    );
  }

  /**
   * Where the investment's money is now under one policy, with TRACING.md's conservation check:
   * funded cash = held by parties + returned as revenue + returned as capital.
   */
  function whereabouts(trace, policy, row) {
    const holdings = trace.holdings[policy] || [];
    const held = sumDecimals(holdings.map((holding) => holding.amount).concat(['0']));
    const items = holdings.map((holding) => h('li', {}, h('span', {}, holding.partyId), money(holding.amount, trace.currency)));
    let check = null;
    if (row) {
      const accounted = sumDecimals([held, row.returnedCash, row.returnedCapital]);
      const balanced = sameAmount(accounted, row.fundedCash);
      check = h(
        'p',
        { class: 'conservation ' + (balanced ? 'ok' : 'bad'), title: 'TRACING.md: held + returned cash + returned capital = funded cash' },
        balanced ? '✓ ' : '✗ ',
        'funded ',
        money(row.fundedCash, row.currency),
        ' = held ',
        money(held, row.currency),
        ' + returned ',
        money(row.returnedCash, row.currency),
        ' + capital ',
        money(row.returnedCapital, row.currency),
      );
    }
    return h(
      'section',
      { class: 'holdings', 'data-policy': policy, 'data-testid': `trace-holdings-${policy}` },
      h('h3', {}, `Where the money is now · ${policy}`),
      items.length ? h('ul', { class: 'holding-list' }, items) : h('p', { class: 'muted' }, 'No party holds money carrying this tag.'),
      check,
    );
  }

  /** The current policy's columns stand out in the trace; the other policy stays readable. */
  function emphasisePolicy() {
    for (const node of $('trace').querySelectorAll('[data-policy]'))
      node.classList.toggle('current-policy', node.dataset.policy === state.policy);
  }

  // ---------------------------------------------------------------------------------------------
  // Flows between groups: an ECharts graph (a Sankey cannot draw cycles) and the cycles beside it

  const CYCLE_COLOUR = '#c62828';
  const EDGE_COLOUR = '#8a94a6';
  const GROUP_COLOURS = ['#2f5f9e', '#c07a1c', '#3f8a63', '#7a55a3', '#b04a6f', '#3c8ea5', '#6f7d2e', '#8c5a3c'];
  let flowChart = null;

  function chart() {
    if (!flowChart) {
      if (!window.echarts) throw new Error('the chart library (/assets/echarts.min.js) did not load');
      flowChart = window.echarts.init($('flow-graph'), null, { renderer: 'canvas' });
      window.addEventListener('resize', () => flowChart.resize());
    }
    return flowChart;
  }

  function renderFlows(report) {
    state.flows = report;
    const currencies = report.currencies.map((entry) => entry.currency);
    if (!currencies.includes(state.flowCurrency)) {
      state.flowCurrency = currencies[0] || null;
      state.focusedCycle = null;
    }
    const select = $('flow-currency');
    replaceChildren(
      select,
      currencies.map((currency) => h('option', { value: currency, selected: currency === state.flowCurrency }, currency)),
    );
    $('flow-currency-field').hidden = currencies.length < 2;
    drawFlows();
  }

  function drawFlows() {
    const entry = state.flows && state.flows.currencies.find((candidate) => candidate.currency === state.flowCurrency);
    const graph = $('flow-graph');
    graph.dataset.currency = entry ? entry.currency : '';
    if (!entry) {
      if (flowChart) flowChart.clear();
      replaceChildren($('cycles'), h('li', { class: 'muted' }, 'No money moved between groups in this view.'));
      replaceChildren($('flow-edges-body'), emptyRow(4, 'No flow in this view.'));
      return;
    }
    // more groups need more room to stay legible
    const height = entry.groups.length > 6 ? '600px' : '440px';
    if (graph.style.height !== height) {
      graph.style.height = height;
      if (flowChart) flowChart.resize();
    }
    chart().setOption(graphOption(entry), { notMerge: true });
    renderCycles(entry);
    renderEdges(entry);
  }

  /**
   * Circular financing has a hub (the company everyone invests in and buys from): the busiest
   * group goes in the middle and the others round it on an ellipse (the chart is wider than
   * tall), ordered so that groups trading with each other sit side by side and their edges do
   * not cross the picture. A fixed layout also draws the same picture every time.
   */
  function hubLayout(entry, volume) {
    const byVolume = [...entry.groups].sort((a, b) => volume.get(b) - volume.get(a) || (a < b ? -1 : 1));
    const position = new Map();
    if (byVolume.length <= 2) {
      byVolume.forEach((group, index) => position.set(group, { x: index * 2, y: 0 }));
      return position;
    }
    const [hub, ...rim] = byVolume;
    const strength = (a, b) =>
      entry.edges
        .filter((edge) => (edge.from === a && edge.to === b) || (edge.from === b && edge.to === a))
        .reduce((sum, edge) => sum + Number(edge.total), 0);
    const rimStrength = (group) => rim.reduce((sum, other) => sum + (other === group ? 0 : strength(group, other)), 0);
    const ordered = [rim.slice().sort((a, b) => rimStrength(b) - rimStrength(a) || (a < b ? -1 : 1))[0]];
    const left = new Set(rim.filter((group) => group !== ordered[0]));
    while (left.size) {
      const last = ordered[ordered.length - 1];
      const next = [...left].sort((a, b) => strength(last, b) - strength(last, a) || volume.get(b) - volume.get(a) || (a < b ? -1 : 1))[0];
      ordered.push(next);
      left.delete(next);
    }
    position.set(hub, { x: 0, y: 0 });
    ordered.forEach((group, index) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * index) / ordered.length;
      position.set(group, { x: 1.8 * Math.cos(angle), y: Math.sin(angle) });
    });
    return position;
  }

  /** A node's name goes on the side away from the hub, where no edge runs. */
  function labelSide({ x, y }) {
    if (y <= -0.5) return 'top';
    if (y >= 0.5) return 'bottom';
    return x > 0 ? 'right' : 'left';
  }

  /** "a>b" for every consecutive pair of a cycle's groups (the list ends where it starts). */
  function cycleEdgeKeys(cycle) {
    const keys = [];
    for (let index = 0; index + 1 < cycle.groups.length; index += 1) keys.push(`${cycle.groups[index]}>${cycle.groups[index + 1]}`);
    return keys;
  }

  function graphOption(entry) {
    const onCycle = new Set(entry.cycles.flatMap(cycleEdgeKeys));
    const focused = state.focusedCycle === null ? null : new Set(cycleEdgeKeys(entry.cycles[state.focusedCycle]));
    const largest = Math.max(1, ...entry.edges.map((edge) => Number(edge.total)));
    const volume = new Map(entry.groups.map((group) => [group, 0]));
    for (const edge of entry.edges) {
      volume.set(edge.from, volume.get(edge.from) + Number(edge.total));
      volume.set(edge.to, volume.get(edge.to) + Number(edge.total));
    }
    const busiest = Math.max(1, ...volume.values());
    const position = hubLayout(entry, volume);
    const nodes = entry.groups.map((group, index) => ({
      name: group,
      x: position.get(group).x,
      y: position.get(group).y,
      symbolSize: 34 + 30 * Math.sqrt(volume.get(group) / busiest),
      itemStyle: { color: GROUP_COLOURS[index % GROUP_COLOURS.length], borderColor: '#fff', borderWidth: 2 },
      // the hub's name inside it: edges leave the hub on every side
      label:
        position.get(group).x === 0 && position.get(group).y === 0
          ? { position: 'inside', color: '#fff', fontSize: 12 }
          : { position: labelSide(position.get(group)) },
    }));
    const keys = new Set(entry.edges.map((edge) => `${edge.from}>${edge.to}`));
    const links = entry.edges.map((edge) => {
      const key = `${edge.from}>${edge.to}`;
      // money both ways between two groups: bend the two edges apart; otherwise draw them straight
      const twoWay = keys.has(`${edge.to}>${edge.from}`);
      const cyclic = onCycle.has(key);
      const faded = focused !== null && !focused.has(key);
      return {
        source: edge.from,
        target: edge.to,
        value: Number(edge.total),
        edge,
        lineStyle: {
          color: cyclic ? CYCLE_COLOUR : EDGE_COLOUR,
          // width by the square root of the amount, so small flows stay visible beside large ones
          width: 1.5 + 6 * Math.sqrt(Number(edge.total) / largest),
          opacity: faded ? 0.12 : 0.85,
          curveness: twoWay ? 0.28 : 0,
        },
        label: { color: cyclic ? CYCLE_COLOUR : '#4a5366', opacity: faded ? 0.2 : 1 },
      };
    });
    return {
      animation: false,
      tooltip: { trigger: 'item', confine: true, formatter: (item) => tooltipHtml(item, entry.currency) },
      series: [
        {
          type: 'graph',
          layout: 'none',
          // keep the layout's proportions, or the view stretches the nodes into ovals
          preserveAspect: true,
          // room around the circle for the labels and the curved edges
          top: 50,
          bottom: 50,
          left: 130,
          right: 130,
          roam: false,
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: [0, 11],
          label: { show: true, distance: 7, fontSize: 13, fontWeight: 600, color: '#1d2330' },
          edgeLabel: {
            show: true,
            fontSize: 12,
            fontWeight: 600,
            backgroundColor: 'rgba(255,255,255,0.9)',
            padding: [1, 4],
            borderRadius: 3,
            formatter: (item) => `${abbreviate(item.data.edge.total)} ${entry.currency}`,
          },
          emphasis: { focus: 'adjacency', lineStyle: { opacity: 1 } },
          data: nodes,
          links,
        },
      ],
    };
  }

  function tooltipHtml(item, currency) {
    if (item.dataType === 'edge') {
      const edge = item.data.edge;
      const kinds = Object.entries(edge.kinds)
        .map(([kind, amount]) => `${escapeHtml(kind.replace(/_/g, ' '))}: <b>${escapeHtml(exactMoney(amount, currency))}</b>`)
        .join('<br>');
      return `${escapeHtml(edge.from)} → ${escapeHtml(edge.to)}<br>${kinds}<br>total: <b>${escapeHtml(exactMoney(edge.total, currency))}</b>`;
    }
    const edges = state.flows.currencies.find((entry) => entry.currency === currency).edges;
    const sum = (side) =>
      sumDecimals(
        edges
          .filter((edge) => edge[side] === item.name)
          .map((edge) => edge.total)
          .concat(['0']),
      );
    return `<b>${escapeHtml(item.name)}</b><br>paid out: ${escapeHtml(exactMoney(sum('from'), currency))}<br>received: ${escapeHtml(exactMoney(sum('to'), currency))}`;
  }

  function renderCycles(entry) {
    const list = $('cycles');
    if (!entry.cycles.length) return replaceChildren(list, h('li', { class: 'muted' }, 'No cycle: no money came back round.'));
    const items = entry.cycles.map((cycle, index) =>
      h(
        'li',
        { 'data-testid': 'cycle', class: index === state.focusedCycle ? 'focused' : '' },
        h(
          'button',
          { type: 'button', class: 'cycle', 'aria-pressed': String(index === state.focusedCycle), onclick: () => focusCycle(index) },
          cycle.groups.map((group, position) => [position ? h('span', { class: 'arrow' }, ' → ') : null, group]),
        ),
        h(
          'div',
          { class: 'weakest' },
          'weakest edge ',
          `${cycle.weakest.from} → ${cycle.weakest.to}`,
          ' · ',
          money(cycle.weakest.amount, entry.currency),
        ),
      ),
    );
    if (entry.cyclesTruncated) items.push(h('li', { class: 'muted' }, 'More cycles exist; the list was cut short.'));
    replaceChildren(list, items);
  }

  function focusCycle(index) {
    state.focusedCycle = state.focusedCycle === index ? null : index;
    drawFlows();
  }

  function renderEdges(entry) {
    const rows = entry.edges.map((edge) =>
      h(
        'tr',
        {},
        h('td', {}, edge.from),
        h('td', {}, edge.to),
        h(
          'td',
          { class: 'kinds' },
          Object.entries(edge.kinds).map(([kind, amount]) =>
            h('span', { class: 'tag' }, `${kind.replace(/_/g, ' ')} `, money(amount, entry.currency)),
          ),
        ),
        moneyCell(edge.total, entry.currency),
      ),
    );
    replaceChildren($('flow-edges-body'), rows);
  }

  // ---------------------------------------------------------------------------------------------
  // Balances per party

  /** EVENTS.md's accounts, in its order: debit-normal, then credit-normal. */
  const DEBIT_NORMAL = [
    'cash',
    'compute_credits',
    'investments',
    'receivables',
    'compute_expense',
    'other_expense',
    'credit_grants',
    'credits_forfeited',
  ];
  const CREDIT_NORMAL = [
    'payables',
    'credits_outstanding',
    'contributed_capital',
    'opening_equity',
    'compute_revenue',
    'other_revenue',
    'credit_income',
  ];

  function renderBalances(report) {
    const lines = report.parties.flatMap((party) =>
      Object.entries(party.balances).map(([currency, accounts]) => ({ party, currency, accounts })),
    );
    const used = new Set(lines.flatMap((line) => Object.keys(line.accounts)));
    // Only the accounts that hold something anywhere: a column of blanks says nothing.
    const debit = DEBIT_NORMAL.filter((account) => used.has(account));
    const credit = CREDIT_NORMAL.filter((account) => used.has(account));
    const other = [...used].filter((account) => !DEBIT_NORMAL.includes(account) && !CREDIT_NORMAL.includes(account)).sort();
    const columns = [...debit, ...credit, ...other];
    const label = (account) => account.replace(/_/g, ' ');
    replaceChildren(
      $('balances-head'),
      h(
        'tr',
        {},
        h('th', { rowspan: 2, scope: 'col' }, 'Party'),
        h('th', { rowspan: 2, scope: 'col' }, 'Group'),
        debit.length ? h('th', { colspan: debit.length, scope: 'colgroup', class: 'band' }, 'Debit-normal') : null,
        credit.length ? h('th', { colspan: credit.length, scope: 'colgroup', class: 'band' }, 'Credit-normal') : null,
        other.length ? h('th', { colspan: other.length, scope: 'colgroup', class: 'band' }, 'Other') : null,
        h('th', { rowspan: 2, scope: 'col', class: 'num', title: 'debit-normal balances sum to credit-normal balances' }, 'Dr = Cr'),
      ),
      h(
        'tr',
        {},
        columns.map((account) => h('th', { scope: 'col', class: 'num account' }, label(account))),
      ),
    );
    const rows = lines.map(({ party, currency, accounts }) =>
      h(
        'tr',
        { 'data-testid': 'balance-row', 'data-party': party.partyId, 'data-currency': currency },
        h('th', { scope: 'row' }, party.partyId),
        h('td', {}, party.group),
        columns.map((account) =>
          account in accounts ? moneyCell(accounts[account], currency, { 'data-account': account }) : h('td', { class: 'num blank' }),
        ),
        trialCell(accounts, currency),
      ),
    );
    replaceChildren($('balances-body'), rows.length ? rows : emptyRow(columns.length + 3, 'No party was registered in this view.'));
  }

  function trialCell(accounts, currency) {
    const side = (names) =>
      sumDecimals(
        names
          .filter((name) => name in accounts)
          .map((name) => accounts[name])
          .concat(['0']),
      );
    const debits = side(DEBIT_NORMAL);
    const credits = side(CREDIT_NORMAL);
    const balanced = sameAmount(debits, credits);
    return h(
      'td',
      {
        class: 'num trial ' + (balanced ? 'ok' : 'bad'),
        title: `debits ${exactMoney(debits, currency)} · credits ${exactMoney(credits, currency)}`,
      },
      balanced ? '✓' : `✗ ${groupDigits(sumDecimals([debits, negate(credits)]))}`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Commitments and credits

  function renderCommitments(report) {
    const rows = report.commitments.map((commitment) =>
      h(
        'tr',
        {},
        h(
          'th',
          { scope: 'row' },
          commitment.commitmentId,
          h(
            'span',
            { class: 'sub' },
            `${commitment.customerId} → ${commitment.providerId}`,
            commitment.providerGroup !== commitment.providerId ? ` (group ${commitment.providerGroup})` : '',
          ),
        ),
        moneyCell(commitment.committed, commitment.currency),
        h(
          'td',
          {
            class: 'num',
            title:
              exactMoney(commitment.billed, commitment.currency) +
              (isZero(commitment.billedBeyond)
                ? ''
                : ` (${exactMoney(commitment.billedBeyond, commitment.currency)} beyond the commitment)`),
          },
          money(commitment.billed, commitment.currency),
          isZero(commitment.billedBeyond)
            ? null
            : h('span', { class: 'sub warn' }, '+', money(commitment.billedBeyond, commitment.currency), ' beyond'),
        ),
        moneyCell(commitment.remaining, commitment.currency),
        h(
          'td',
          { class: 'term' },
          isoTime(commitment.startsAt, true),
          h('span', { class: 'sub' }, 'to ', isoTime(commitment.endsAt, true)),
        ),
      ),
    );
    replaceChildren($('commitments-body'), rows.length ? rows : emptyRow(5, 'No compute commitment in this view.'));
  }

  function renderCredits(report) {
    const rows = report.grants.map((grant) =>
      h(
        'tr',
        {},
        h(
          'th',
          { scope: 'row' },
          grant.grantId,
          h(
            'span',
            { class: 'sub' },
            `${grant.providerId} → ${grant.recipientId}`,
            grant.expiresAt ? [', expires ', isoTime(grant.expiresAt, true)] : null,
          ),
        ),
        h(
          'td',
          {},
          grant.investmentId
            ? h(
                'button',
                { type: 'button', class: 'link', onclick: () => openTrace(grant.investmentId, { scroll: true }) },
                grant.investmentId,
              )
            : h('span', { class: 'muted' }, '—'),
        ),
        ['granted', 'used', 'expired', 'remaining'].map((field) => moneyCell(grant[field], grant.currency)),
      ),
    );
    replaceChildren($('credits-body'), rows.length ? rows : emptyRow(6, 'No credit grant in this view.'));
  }

  // ---------------------------------------------------------------------------------------------
  // Restatements

  function renderRestatements(report) {
    const rows = report.restatements.map((append) =>
      h(
        'tr',
        {},
        h('td', {}, isoTime(append.recordedAt), h('span', { class: 'sub' }, `append up to #${append.position}`)),
        h(
          'td',
          {},
          h(
            'ul',
            { class: 'plain' },
            append.facts.map((fact) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', class: 'link mono', onclick: () => showEvent(fact.eventId), title: `Show stored fact ${fact.eventId}` },
                  `#${fact.position}`,
                ),
                ` ${fact.type} `,
                h('span', { class: 'tag' }, fact.kind),
                fact.kind === 'reversal' && fact.reversedEventId
                  ? [
                      ' voids ',
                      h(
                        'button',
                        { type: 'button', class: 'link mono', onclick: () => showEvent(fact.reversedEventId) },
                        fact.reversedEventId.slice(-8),
                      ),
                    ]
                  : [' occurred ', isoTime(fact.occurredAt)],
              ),
            ),
          ),
        ),
        h('td', {}, isoTime(append.restatedFrom)),
        h(
          'td',
          {},
          append.roundTrips.length
            ? h(
                'ul',
                { class: 'plain' },
                append.roundTrips.map((change) =>
                  h(
                    'li',
                    {},
                    `${change.investmentId} ${change.field} (${change.policy}) `,
                    money(change.before, change.currency),
                    ' → ',
                    money(change.after, change.currency),
                    h('span', { class: 'delta' }, ` ${change.delta.startsWith('-') ? '' : '+'}${groupDigits(change.delta)}`),
                  ),
                ),
              )
            : h('span', { class: 'muted' }, 'none'),
        ),
      ),
    );
    replaceChildren($('restatements-body'), rows.length ? rows : emptyRow(4, 'No late fact or reversal in this view.'));
  }

  // ---------------------------------------------------------------------------------------------
  // One stored fact, with its provenance

  async function showEvent(eventId) {
    const dialog = $('event-dialog');
    replaceChildren($('event-dialog-body'), h('p', { class: 'muted' }, 'Loading…'));
    if (!dialog.open) dialog.showModal();
    try {
      const record = await apiJson(`/api/events/${encodeURIComponent(eventId)}`, {});
      const field = (name, value) => [h('dt', {}, name), h('dd', {}, value)];
      replaceChildren(
        $('event-dialog-body'),
        h(
          'dl',
          { class: 'facts' },
          field('type', record.type),
          field('eventId', h('code', {}, record.eventId)),
          field('stream', h('code', {}, `${record.streamId} v${record.streamVersion}`)),
          field('position', String(record.position)),
          field('occurred at', isoTime(record.occurredAt)),
          field('recorded at', isoTime(record.recordedAt)),
          field('source', record.source),
          field('hash', h('code', { class: 'hash' }, record.hash)),
          field('provenance', h('pre', {}, JSON.stringify(record.metadata, null, 2))),
          field('data', h('pre', {}, JSON.stringify(record.data, null, 2))),
        ),
      );
    } catch (failure) {
      replaceChildren($('event-dialog-body'), h('p', { class: 'error-text' }, `${failure.code || 'error'}: ${failure.message}`));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Integrity

  /** On demand only: verifying recomputes the whole hash chain, which takes a while on a large ledger. */
  async function verifyChain() {
    const out = $('integrity');
    out.className = 'integrity';
    out.textContent = 'verifying…';
    try {
      const result = await apiJson('/api/verify', {});
      out.className = 'integrity ' + (result.ok ? 'ok' : 'bad');
      out.textContent = result.ok
        ? `✓ chain intact · ${result.checked} facts · head ${result.headHash.slice(0, 12)}…`
        : `✗ ${JSON.stringify(result.problem)}`;
      out.title = result.ok ? `head position ${result.headPosition}, hash ${result.headHash}` : '';
    } catch (failure) {
      out.textContent = '';
      explainFailure(failure);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // CSV downloads: fetched with the key in the header and saved from a Blob, so no URL ever
  // carries the key (a plain link to the CSV could not send the Authorization header).

  const CSV_SOURCES = {
    'round-trips': () => ({ path: '/api/reports/round-trips', params: { policy: state.policy }, name: `round-trips-${state.policy}` }),
    trace: () =>
      state.selected ? { path: `/api/reports/trace/${encodeURIComponent(state.selected)}`, name: `trace-${state.selected}` } : null,
    flows: () => ({ path: '/api/reports/flows', name: 'flows' }),
    balances: () => ({ path: '/api/balances', name: 'balances' }),
    commitments: () => ({ path: '/api/reports/commitments', name: 'commitments' }),
    credits: () => ({ path: '/api/reports/credits', name: 'credits' }),
    restatements: () => ({ path: '/api/reports/restatements', name: 'restatements' }),
  };

  async function downloadCsv(kind) {
    const source = CSV_SOURCES[kind]();
    if (!source) return;
    try {
      const response = await apiFetch(source.path, { ...(source.params || {}), ...viewParams(), format: 'csv' }, 'text/csv');
      const blob = await response.blob();
      const suffix = (state.asOf ? `_as-of-${state.asOf}` : '') + (state.knownAt ? `_known-at-${state.knownAt}` : '');
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: `${source.name}${suffix}.csv`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30000);
    } catch (failure) {
      explainFailure(failure);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Start-up

  function bindOthers() {
    for (const button of document.querySelectorAll('[data-csv]')) button.addEventListener('click', () => downloadCsv(button.dataset.csv));
    $('trace-close').addEventListener('click', closeTrace);
    $('flow-currency').addEventListener('change', (event) => {
      state.flowCurrency = event.target.value;
      state.focusedCycle = null;
      drawFlows();
    });
    $('event-dialog-close').addEventListener('click', () => $('event-dialog').close());
  }

  function start() {
    takeKeyFromFragment();
    bindKeyForm();
    bindViewControls();
    bindOthers();
    // The radios keep their state across a reload; the page follows what they show.
    state.policy = document.querySelector('input[name="policy"]:checked').value;
    state.asOf = $('as-of').value;
    state.knownAt = $('known-at').value;
    useKey(sessionStorage.getItem(KEY_STORAGE));
    if (state.key) loadView();
    else askForKey();
  }

  start();
})();
