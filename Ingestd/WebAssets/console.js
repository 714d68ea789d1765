// The console at GET /ui: charts over GET /v1/overview (polled every second), a search form over GET /v1/query and a
// live tail over GET /v1/tail. Plain script, no build step; uPlot draws the charts. The key is kept in sessionStorage
// and sent in the Authorization header only (the tail is read with fetch() streaming rather than EventSource, which
// cannot set headers), so it never sits in a URL or an access log.
(function () {
  'use strict';

  const KEY_STORAGE = 'ingestd.key';
  const POLL_MS = 1000;
  const TAIL_MAX_ROWS = 500;
  const EVENT_TEXT_MAX = 2000;
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#6b7280'];

  const $ = (id) => document.getElementById(id);
  // generation changes with the key: an answer to a request made under the previous key is dropped, never shown.
  // polls counts the overviews drawn.
  const state = { overview: null, charts: {}, tail: null, nextCursor: null, lastQuery: null, generation: 0, polls: 0 };
  // Read by the browser tests (and handy from the devtools console).
  window.ingestdConsole = state;

  // ---- key and requests ----

  function key() { return sessionStorage.getItem(KEY_STORAGE) || ''; }

  function headers(accept) {
    const h = { 'Accept': accept };
    const k = key();
    if (k) h['Authorization'] = 'Bearer ' + k;
    return h;
  }

  function setStatus(text, isError) {
    const el = $('status');
    el.textContent = text || '';
    el.classList.toggle('error', !!isError);
  }

  // An error answer's JSON body says what went wrong; show that rather than only the status.
  async function describeFailure(response) {
    let detail = '';
    try {
      const body = await response.json();
      detail = body.detail || body.error || body.message || '';
    } catch (e) { /* not JSON */ }
    if (response.status === 401) return 'unauthorized: enter a tenant key above' + (detail ? ' (' + detail + ')' : '');
    return response.status + ' ' + response.statusText + (detail ? ': ' + detail : '');
  }

  // Everything shown was read with the previous key: it goes, and what comes back for that key is dropped.
  function keyChanged(message) {
    state.generation++;
    state.overview = null;
    resetCharts();
    stopTail();
    clearRows('results');
    clearRows('tail');
    $('results-count').textContent = '';
    $('more').hidden = true;
    $('stats-figure').hidden = true;
    setStatus(message);
    pollOverview();
  }

  $('key').value = key();
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, $('key').value.trim());
    keyChanged('key set for this tab');
  });
  $('key-forget').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    $('key').value = '';
    keyChanged('key forgotten');
  });

  // ---- formatting ----

  function si(value, unit) {
    if (value == null || !isFinite(value)) return '–';
    const steps = unit === 'B' ? [[1 << 30, 'GiB'], [1 << 20, 'MiB'], [1 << 10, 'KiB']] : [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
    for (const [size, name] of steps)
      if (Math.abs(value) >= size) return (value / size).toFixed(value / size >= 100 ? 0 : 1) + ' ' + name + (unit === 'B' ? '' : unit);
    return (Math.abs(value) >= 100 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1)) + (unit ? ' ' + unit : '');
  }

  function seconds(value) {
    if (value == null || !isFinite(value)) return '–';
    if (value < 0.001) return (value * 1e6).toFixed(0) + ' µs';
    if (value < 1) return (value * 1e3).toFixed(value < 0.01 ? 2 : 1) + ' ms';
    return value.toFixed(2) + ' s';
  }

  // ---- charts ----

  function chartWidth(el) { return Math.max(280, el.clientWidth || 480); }

  function axis(format, integers) {
    const a = { values: (u, ticks) => ticks.map(format), size: 76 };
    // Whole numbers (segment counts) get whole-number ticks.
    if (integers) a.incrs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000, 1000000];
    return a;
  }

  // A series keeps its colour for the life of the page, whichever place its chart gives it.
  const colours = new Map();
  function colour(label) {
    if (!colours.has(label)) colours.set(label, PALETTE[colours.size % PALETTE.length]);
    return colours.get(label);
  }

  // From zero to a little above the largest value, and never narrower than `floor` (an idle chart stays readable).
  function range(floor) {
    return (u, min, max) => [0, Math.max((max || 0) * 1.1, floor)];
  }

  // Without the pointer over it, a chart's legend shows the newest values.
  function showLatest(plot, data) {
    if (plot.cursor.left == null || plot.cursor.left < 0) plot.setLegend({ idx: Math.max(0, data[0].length - 1) });
  }

  // Creates the chart again when its series change (a new tenant, an output added); otherwise only its data.
  // opts: format (left axis and legend), floor (smallest top of the left scale), right: { format, floor, integers }.
  function draw(name, seriesDefs, data, opts) {
    const el = $('chart-' + name);
    const signature = JSON.stringify(seriesDefs.map((s) => [s.label, s.scale || 'y']));
    let chart = state.charts[name];
    if (chart && chart.signature === signature) {
      chart.plot.setData(data);
      showLatest(chart.plot, data);
      return;
    }
    if (chart) chart.plot.destroy();
    const axes = [{}, Object.assign({ scale: 'y' }, axis(opts.format))];
    const scales = { x: { time: true }, y: { range: range(opts.floor) } };
    if (opts.right) {
      axes.push(Object.assign({ scale: 'y2', side: 1, grid: { show: false } }, axis(opts.right.format, opts.right.integers)));
      scales.y2 = { range: range(opts.right.floor) };
    }
    const plot = new uPlot({
      width: chartWidth(el),
      height: 180,
      scales,
      axes,
      legend: { live: true },
      series: [{}].concat(seriesDefs.map((s) => ({
        label: s.label,
        scale: s.scale || 'y',
        stroke: s.color || colour(s.label),
        width: 1.5,
        paths: opts.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
        points: { show: false },
        value: (u, v) => (s.scale === 'y2' ? opts.right.format : opts.format)(v),
      }))),
    }, data, el);
    state.charts[name] = { plot, signature };
    showLatest(plot, data);
  }

  function resetCharts() {
    for (const name of Object.keys(state.charts)) state.charts[name].plot.destroy();
    state.charts = {};
  }

  window.addEventListener('resize', () => {
    for (const name of Object.keys(state.charts)) {
      const el = $('chart-' + name);
      state.charts[name].plot.setSize({ width: chartWidth(el), height: 180 });
    }
  });

  function trafficChart(name, list, time, unit) {
    const series = list.length ? list : [{ dialect: 'none yet', tenant: '', values: time.map(() => 0) }];
    // Open mode counts every request under tenant "-": the dialect alone names the series there.
    const defs = series.map((s) => ({ label: s.tenant === 'other' ? 'other' : s.dialect + (s.tenant && s.tenant !== '-' ? ' / ' + s.tenant : '') }));
    draw(name, defs, [time].concat(series.map((s) => s.values)), { format: (v) => si(v, unit), floor: unit === 'B' ? 1024 : 1 });
  }

  function last(values) { return values.length ? values[values.length - 1] : null; }

  function sumLast(list) {
    let total = 0;
    for (const s of list) total += last(s.values) || 0;
    return total;
  }

  function render(o) {
    const t = o.time;
    trafficChart('events', o.events_per_second, t, '/s');
    trafficChart('bytes', o.bytes_per_second, t, 'B');
    const capacity = o.ring_capacity_bytes || 1;
    draw('ring', [{ label: 'used of ' + si(capacity, 'B') }], [t, o.ring_used_bytes.map((v) => 100 * v / capacity)],
      { format: (v) => (v == null ? '–' : v.toFixed(v < 1 ? 2 : 0) + ' %'), floor: 1 });
    draw('latency', [
      { label: 'write mean' }, { label: 'write p99 ≤' }, { label: 'fsync mean' }, { label: 'fsync p99 ≤' },
    ], [t, o.block_write_seconds.mean, o.block_write_seconds.p99, o.fsync_seconds.mean, o.fsync_seconds.p99],
      { format: seconds, floor: 0.001 });
    draw('disk', [{ label: 'disk use' }, { label: 'segments', scale: 'y2' }], [t, o.segment_bytes, o.segments],
      { format: (v) => si(v, 'B'), floor: 1024, right: { format: (v) => (v == null ? '–' : String(Math.round(v))), floor: 1, integers: true } });

    const outputs = o.outputs || [];
    $('outputs-figure').hidden = outputs.length === 0;
    if (outputs.length) {
      const defs = [];
      const data = [t];
      for (const out of outputs) {
        defs.push({ label: out.output + ' lag' });
        data.push(out.lag_seconds);
        defs.push({ label: out.output + ' events behind', scale: 'y2' });
        data.push(out.lag_events);
      }
      draw('outputs', defs, data, { format: seconds, floor: 1, right: { format: (v) => si(v, ''), floor: 1, integers: true } });
    }

    $('tile-events').textContent = si(sumLast(o.events_per_second), '');
    $('tile-bytes').textContent = si(sumLast(o.bytes_per_second), 'B');
    const used = last(o.ring_used_bytes);
    $('tile-ring').textContent = used == null ? '–' : (100 * used / capacity).toFixed(1) + ' %';
    $('tile-segments').textContent = si(last(o.segments), '');
    $('tile-disk').textContent = si(last(o.segment_bytes), 'B');
  }

  let polling = false;
  async function pollOverview() {
    if (polling) return;
    polling = true;
    const generation = state.generation;
    try {
      const response = await fetch('/v1/overview', { headers: headers('application/json'), cache: 'no-store' });
      if (generation !== state.generation) return;
      if (!response.ok) {
        setStatus('overview: ' + await describeFailure(response), true);
        return;
      }
      const overview = await response.json();
      if (generation !== state.generation) return;
      state.overview = overview;
      render(overview);
      state.polls++;
      if ($('status').classList.contains('error') && $('status').textContent.startsWith('overview:')) setStatus('');
    } catch (e) {
      setStatus('overview: ' + e.message, true);
    } finally {
      polling = false;
    }
  }

  // ---- records (search results and tail) ----

  function clearRows(table) { $(table).tBodies[0].replaceChildren(); }

  // "2026-12-03T01:08:49.369000000Z" → "01:08:49.369" today, else "2026-12-03 01:08:49"; the full text in the title.
  function shortTime(text) {
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,3})?/.exec(text || '');
    if (!m) return text || '';
    const today = new Date().toISOString().slice(0, 10);
    return m[1] === today ? m[2] + (m[3] || '') : m[1] + ' ' + m[2];
  }

  // The line a reader looks for first: the event's message under the names the dialects use, if it has one.
  function messageOf(event) {
    if (!event || typeof event !== 'object') return null;
    for (const name of ['message', 'msg', 'short_message', 'MESSAGE', 'line', 'body']) {
      if (typeof event[name] === 'string') return event[name];
    }
    if (event.event && typeof event.event === 'object') return messageOf(event.event);
    return null;
  }

  // Text only (textContent), never markup: an event is whatever a client sent. One line each (the message, then the
  // event as stored); a click unfolds it.
  function recordRow(r) {
    const tr = document.createElement('tr');
    const json = typeof r.event === 'string' ? r.event : JSON.stringify(r.event);
    const time = r.time || r.received_at || '';
    const cells = [shortTime(time), r.tenant + (r.stream ? ' / ' + r.stream : ''), r.dialect || '', r.level || '', r.service || ''];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text == null ? '' : String(text);
      if (i === 0) td.title = time;
      if (i === 3) td.className = 'level level-' + String(text).toLowerCase();
      tr.appendChild(td);
    });
    const td = document.createElement('td');
    td.className = 'event';
    td.title = json;
    const message = messageOf(r.event);
    if (message != null) td.appendChild(document.createTextNode(message));
    const raw = document.createElement('span');
    raw.className = 'json';
    raw.textContent = json.length > EVENT_TEXT_MAX ? json.slice(0, EVENT_TEXT_MAX) + '…' : json;
    td.appendChild(raw);
    tr.appendChild(td);
    tr.addEventListener('click', () => tr.classList.toggle('unfolded'));
    if (r.seq != null) tr.dataset.seq = r.seq;
    return tr;
  }

  function noticeRow(text) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 6;
    td.className = 'notice';
    td.textContent = text;
    tr.appendChild(td);
    return tr;
  }

  function filterParams(forSearch) {
    const params = new URLSearchParams();
    const form = $('filters');
    const names = forSearch ? ['since', 'until', 'tenant', 'dialect', 'service', 'level', 'q', 'where', 'limit', 'order']
      : ['tenant', 'dialect', 'service', 'level', 'q', 'where'];
    for (const name of names) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  async function search(cursor) {
    const params = cursor ? new URLSearchParams(state.lastQuery) : filterParams(true);
    const generation = state.generation;
    if (cursor) params.set('cursor', cursor);
    else {
      state.lastQuery = params.toString();
      searchStats(params, generation);
    }
    $('more').hidden = true;
    if (!cursor) {
      clearRows('results');
      $('results-count').textContent = '…';
    }
    try {
      const response = await fetch('/v1/query?' + params.toString(), { headers: headers('application/json'), cache: 'no-store' });
      if (generation !== state.generation) return;
      if (!response.ok) {
        const why = await describeFailure(response);
        $('results-count').textContent = '';
        $('results').tBodies[0].appendChild(noticeRow('search failed: ' + why));
        return;
      }
      const body = await response.json();
      if (generation !== state.generation) return;
      const tbody = $('results').tBodies[0];
      for (const r of body.records || []) tbody.appendChild(recordRow(r));
      $('results-count').textContent = '(' + tbody.rows.length + (body.next_cursor ? '+' : '') + ')';
      state.nextCursor = body.next_cursor || null;
      $('more').hidden = !state.nextCursor;
    } catch (e) {
      $('results-count').textContent = '';
      $('results').tBodies[0].appendChild(noticeRow('search failed: ' + e.message));
    }
  }

  // ---- matches over time: GET /v1/query/stats with the search's filters ----

  const LEVEL_COLOURS = { fatal: '#7f1d1d', error: '#dc2626', warn: '#d97706', info: '#2563eb', debug: '#6b7280', trace: '#9ca3af' };
  const INTERVALS = [['10s', 10], ['1m', 60], ['5m', 300], ['15m', 900], ['1h', 3600], ['6h', 21600], ['1d', 86400]];

  // Seconds between since and until when the form says (a duration ago or an RFC 3339 time), else null.
  function windowSeconds(params) {
    const at = (text) => {
      const d = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
      if (d) return Date.now() / 1000 - parseFloat(d[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[d[2]];
      const t = Date.parse(text);
      return isNaN(t) ? null : t / 1000;
    };
    const since = params.get('since') ? at(params.get('since')) : null;
    const until = params.get('until') ? at(params.get('until')) : Date.now() / 1000;
    return since == null || until == null || until <= since ? null : { since, until };
  }

  async function searchStats(params, generation) {
    const stats = new URLSearchParams(params);
    for (const name of ['limit', 'order', 'cursor']) stats.delete(name);
    const span = windowSeconds(stats);
    // About a hundred buckets over the window (an hour's when the window is open-ended).
    const [interval, step] = span ? (INTERVALS.find(([, s]) => (span.until - span.since) / s <= 120) || INTERVALS[INTERVALS.length - 1]) : ['1h', 3600];
    stats.set('group_by', 'level');
    stats.set('interval', interval);
    try {
      const response = await fetch('/v1/query/stats?' + stats.toString(), { headers: headers('application/json'), cache: 'no-store' });
      if (generation !== state.generation || !response.ok) return;
      const body = await response.json();
      if (generation !== state.generation) return;
      // Buckets come only where something was counted: the chart gets every bucket of the window, zeros included.
      const counted = new Map(body.buckets.map((b) => [Math.floor(Date.parse(b.start) / 1000), b.counts]));
      const starts = [...counted.keys()];
      const from = span ? Math.floor(span.since / step) * step : Math.min(...starts);
      const to = span ? Math.floor(span.until / step) * step : Math.max(...starts);
      const time = [];
      for (let t = from; t <= to && time.length < 10000; t += step) time.push(t);
      const levels = [...new Set(body.buckets.flatMap((b) => Object.keys(b.counts)))].sort();
      $('stats-figure').hidden = false;
      $('stats-note').textContent = '(per ' + interval + (body.truncated ? ', cut short: ' + body.truncated : '') + ')';
      const series = levels.length ? levels : [''];
      // Records without a level are counted under "": named "(none)" in the legend.
      draw('stats', series.map((l) => ({ label: l || '(none)', color: LEVEL_COLOURS[l.toLowerCase()] })),
        [time].concat(series.map((l) => time.map((t) => (counted.get(t) || {})[l] || 0))),
        { format: (v) => si(v, ''), floor: 1, stepped: true });
    } catch (e) {
      /* the results table already says what went wrong with the search */
    }
  }

  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    search(null);
  });
  $('more').addEventListener('click', () => { if (state.nextCursor) search(state.nextCursor); });

  // ---- live tail: Server-Sent Events read from a fetch() body ----

  function addTailRow(tr) {
    const tbody = $('tail').tBodies[0];
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.rows.length > TAIL_MAX_ROWS) tbody.deleteRow(tbody.rows.length - 1);
  }

  // One SSE event (its name and data); the contract sends one record per data line.
  function dispatch(name, data) {
    if (!data) return;
    // Records come as "event: record" (or unnamed); any other event is the server saying something, e.g. "dropped".
    if (name && name !== 'message' && name !== 'record') {
      addTailRow(noticeRow(name + ': ' + data));
      return;
    }
    for (const line of data.split('\n')) {
      if (!line) continue;
      try {
        addTailRow(recordRow(JSON.parse(line)));
      } catch (e) {
        addTailRow(noticeRow('unreadable record: ' + line.slice(0, 200)));
      }
    }
  }

  async function readEvents(body, signal) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let name = '';
    let data = [];
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      // Lines end in \n, \r\n or \r (HTML's SSE parsing rules); an empty line ends an event.
      while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
        if (buffer[end] === '\r' && end === buffer.length - 1) break; // a \r that may be half of \r\n
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          dispatch(name, data.join('\n'));
          name = '';
          data = [];
        } else if (line.startsWith(':')) {
          // a comment: the server's keep-alive
        } else {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'data') data.push(value);
          else if (field === 'event') name = value;
        }
      }
    }
  }

  function setTailState(text, running) {
    $('tail-state').textContent = text;
    $('tail-toggle').textContent = running ? 'Stop tail' : 'Start tail';
  }

  async function startTail() {
    const controller = new AbortController();
    state.tail = controller;
    setTailState('connecting…', true);
    try {
      const response = await fetch('/v1/tail?' + filterParams(false).toString(),
        { headers: headers('text/event-stream'), cache: 'no-store', signal: controller.signal });
      if (!response.ok) {
        addTailRow(noticeRow('tail failed: ' + await describeFailure(response)));
        return;
      }
      setTailState('live', true);
      await readEvents(response.body, controller.signal);
      if (!controller.signal.aborted) addTailRow(noticeRow('the server ended the tail'));
    } catch (e) {
      if (!controller.signal.aborted) addTailRow(noticeRow('tail failed: ' + e.message));
    } finally {
      if (state.tail === controller) {
        state.tail = null;
        setTailState('stopped', false);
      }
    }
  }

  function stopTail() {
    if (!state.tail) return;
    state.tail.abort();
    state.tail = null;
    setTailState('stopped', false);
  }

  $('tail-toggle').addEventListener('click', () => { if (state.tail) stopTail(); else startTail(); });

  pollOverview();
  setInterval(pollOverview, POLL_MS);
})();
