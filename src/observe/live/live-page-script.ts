/**
 * The live page's browser code, inlined in the page (no file is fetched). Plain ES2017, no
 * library: it reads `/events` (see live-messages.ts) and draws figures, tables and inline SVG
 * charts with DOM calls (text only through textContent). Kept as a string so the page is one
 * self-contained document; test/observe/live-page.test.ts checks that it parses.
 */
export const LIVE_PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var body = document.body;
  var KIND = body.getAttribute('data-kind') === 'sweep' ? 'sweep' : 'run';
  var MAX_SECONDS = Number(body.getAttribute('data-max-seconds')) || 3600;
  var SVGNS = document.querySelector('svg').namespaceURI;
  var PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  var W = 640, H = 240, M = { l: 64, r: 12, t: 14, b: 32 };

  var state = null;
  var source = null;
  var failures = 0;
  var ended = false;
  var etaAt = 0;

  function byId(id) { return document.getElementById(id); }
  function h(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, String(attrs[k]));
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function s(tag, attrs, content) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (content !== undefined) e.textContent = content;
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }

  function fmtMicros(us) {
    if (!(us > 0)) return '–';
    if (us < 1000) return Math.round(us) + ' µs';
    if (us < 1e6) return (us / 1000).toFixed(us < 1e4 ? 2 : 1) + ' ms';
    return (us / 1e6).toFixed(2) + ' s';
  }
  function fmtCount(n) { return Math.round(n).toLocaleString('en-US'); }
  function fmtBytes(b) {
    if (b === null || b === undefined) return 'default';
    if (b >= 1048576 && b % 1048576 === 0) return b / 1048576 + ' MiB';
    if (b >= 1024 && b % 1024 === 0) return b / 1024 + ' KiB';
    return b + ' B';
  }
  function fmtClock(sec) {
    var t = Math.max(0, Math.round(sec));
    var hh = Math.floor(t / 3600), mm = Math.floor((t % 3600) / 60), ss = t % 60;
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    return hh > 0 ? hh + ':' + two(mm) + ':' + two(ss) : mm + ':' + two(ss);
  }
  function fmtLag(ms) {
    if (ms === null) return '–';
    var us = ms * 1000;
    return us < 1000 ? us.toFixed(us < 10 ? 1 : 0) + ' µs' : fmtMicros(us);
  }
  function fmtSeconds(sec) { return sec === null || sec === undefined ? '–' : (sec < 10 ? sec.toFixed(2) : sec.toFixed(1)) + ' s'; }
  function median(values) {
    var v = values.filter(function (x) { return typeof x === 'number'; }).sort(function (a, b) { return a - b; });
    if (v.length === 0) return null;
    var m = Math.floor(v.length / 2);
    return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  /* ---- connection status ---- */
  var STATUS_TEXT = {
    connecting: 'connecting…',
    live: 'live',
    reconnecting: 'connection lost, reconnecting…',
    finished: KIND === 'sweep' ? 'sweep finished' : 'run finished',
    disconnected: 'disconnected: the bench has stopped; these are the last figures received'
  };
  function setStatus(status) {
    var e = byId('status');
    e.setAttribute('data-status', status);
    e.textContent = STATUS_TEXT[status];
  }

  /* ---- figures ---- */
  function setFigure(name, value, text, sub) {
    var tile = document.querySelector('[data-figure="' + name + '"]');
    if (!tile) return;
    tile.setAttribute('data-value', value === null ? '' : String(value));
    tile.querySelector('.value').textContent = text;
    tile.querySelector('.sub').textContent = sub || '';
  }
  function renderFigures() {
    var last = state.seconds.length > 0 ? state.seconds[state.seconds.length - 1] : null;
    var t = state.totals;
    var config = state.run ? state.run.config : null;
    if (!last) {
      ['second', 'msgsPerS', 'p50', 'p99', 'p999', 'max', 'errors', 'openStreams', 'generatorCpu', 'eventLoop', 'sendLag', 'reconnects', 'breakersOpen'].forEach(function (n) { setFigure(n, null, '–', ''); });
      return;
    }
    var warm = config && last.second <= config.warmupS;
    setFigure('second', last.second, fmtClock(last.second), warm ? 'warm-up' : config && config.durationS !== null ? 'of ' + fmtClock(config.warmupS + config.durationS) : '');
    setFigure('msgsPerS', last.msgsPerS, fmtCount(last.msgsPerS), 'mean ' + fmtCount(t.received / Math.max(1, t.seconds)));
    setFigure('p50', last.latencyUs.p50, fmtMicros(last.latencyUs.p50), 'this second');
    setFigure('p99', last.latencyUs.p99, fmtMicros(last.latencyUs.p99), 'this second');
    setFigure('p999', last.latencyUs.p999, fmtMicros(last.latencyUs.p999), 'this second');
    setFigure('max', last.latencyUs.max, fmtMicros(last.latencyUs.max), 'this second');
    setFigure('errors', last.errors, fmtCount(last.errors), 'total ' + fmtCount(t.errors));
    setFigure('openStreams', last.openStreams, fmtCount(last.openStreams), config ? 'of ' + fmtCount(config.streams) : '');
    setFigure('generatorCpu', last.generatorCpu, last.generatorCpu.toFixed(2), 'CPUs busy');
    var elu = last.workerEventLoopUtilization || [];
    var eluMax = elu.length === 0 ? null : Math.max.apply(null, elu);
    setFigure('eventLoop', eluMax, eluMax === null ? '–' : Math.round(eluMax * 100) + ' %', elu.length === 0 ? '' : 'busiest of ' + elu.length + ': ' + elu.map(function (u) { return Math.round(u * 100); }).join(' / ') + ' %');
    var lag = last.sendLagMs;
    setFigure('sendLag', lag ? lag.mean : null, lag ? lag.mean.toFixed(2) + ' ms' : '–', lag ? 'max ' + lag.max.toFixed(2) + ' ms' : config && config.rate === null ? 'closed loop' : 'no sends');
    setFigure('reconnects', last.reconnects, fmtCount(last.reconnects), 'total ' + fmtCount(t.reconnects));
    setFigure('breakersOpen', last.breakersOpen, last.breakersOpen === 0 ? 'closed' : last.breakersOpen + ' open', config ? 'of ' + config.workers + ' worker' + (config.workers === 1 ? '' : 's') : '');
    document.title = fmtCount(last.msgsPerS) + ' msgs/s · grpc-stream-bench live';
  }

  /* ---- per backend, last second ---- */
  function renderBackends() {
    var last = state.seconds.length > 0 ? state.seconds[state.seconds.length - 1] : null;
    var backends = last && last.backends ? last.backends : [];
    var section = byId('backends');
    section.hidden = backends.length < 2;
    if (backends.length < 2) return;
    var total = 0, top = 0;
    backends.forEach(function (b) { total += b.msgsPerS; if (b.msgsPerS > top) top = b.msgsPerS; });
    clear(byId('backends-body'));
    backends.forEach(function (b) {
      var share = total > 0 ? (b.msgsPerS / total) * 100 : 0;
      byId('backends-body').appendChild(h('tr', { 'data-backend': b.backend, 'data-msgs-per-s': b.msgsPerS }, [
        h('td', null, [b.backend]),
        h('td', { 'class': 'num' }, [fmtCount(b.msgsPerS)]),
        h('td', { 'class': 'num' }, [share.toFixed(1) + ' %']),
        h('td', null, [h('meter', { min: 0, max: Math.max(1, top), value: b.msgsPerS })])
      ]));
    });
    // (max − min) / mean of the named backends, as check's backend_imbalance.
    var named = backends.filter(function (b) { return b.backend !== 'other'; }).map(function (b) { return b.msgsPerS; });
    var mean = named.reduce(function (a, x) { return a + x; }, 0) / Math.max(1, named.length);
    var p = byId('backends-imbalance');
    if (named.length < 2 || !(mean > 0)) { p.setAttribute('data-imbalance', ''); p.textContent = ''; return; }
    var imbalance = ((Math.max.apply(null, named) - Math.min.apply(null, named)) / mean) * 100;
    p.setAttribute('data-imbalance', imbalance.toFixed(1));
    p.textContent = 'imbalance ' + imbalance.toFixed(1) + ' % ((max − min) / mean of ' + named.length + ' backends)';
  }

  /* ---- the run's settings ---- */
  function renderRunInfo() {
    var e = byId('run-info');
    var r = state.run;
    if (!r) { e.textContent = KIND === 'sweep' ? 'Waiting for the first repetition…' : 'Waiting for the load to start…'; return; }
    var c = r.config;
    var parts = [
      c.engine + ' → ' + (c.target === null ? 'embedded echo server' : c.target) + (c.security !== 'plaintext' ? ' (' + c.security + ')' : ''),
      c.streams + ' stream' + (c.streams === 1 ? '' : 's') + ' × ' + c.inFlight + ' in flight, ' + c.connections + ' connection' + (c.connections === 1 ? '' : 's') + ', ' + c.workers + ' worker' + (c.workers === 1 ? '' : 's'),
      fmtBytes(c.size) + ' ' + c.compression + ', window ' + fmtBytes(c.window),
      c.rate === null ? 'closed loop' : 'open loop ' + fmtCount(c.rate) + ' msgs/s',
      c.warmupS + ' s warm-up + ' + (c.durationS !== null ? c.durationS + ' s' : fmtCount(c.messages || 0) + ' messages')
    ];
    if (c.messagesPerStream !== null) parts.push(c.messagesPerStream + ' msgs per call');
    if (c.lb === 'round_robin') parts.push('lb round_robin');
    e.textContent = parts.join(' · ');
  }

  /* ---- charts ---- */
  function niceTicks(max) {
    if (!(max > 0) || !isFinite(max)) return [0, 1];
    var raw = max / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = ([1, 2, 2.5, 5, 10].filter(function (m) { return m * mag >= raw; })[0] || 10) * mag;
    var ticks = [];
    for (var v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
    if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
    return ticks;
  }
  function drawChart(svg, spec) {
    clear(svg);
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var pw = W - M.l - M.r, ph = H - M.t - M.b;
    var good = function (y) { return typeof y === 'number' && isFinite(y) && (!spec.log || y > 0); };
    var ys = [], xMax = spec.xMin || 10, count = 0;
    spec.series.forEach(function (se) {
      count = Math.max(count, se.points.length);
      se.points.forEach(function (p) { if (p[0] > xMax) xMax = p[0]; if (good(p[1])) ys.push(p[1]); });
    });
    svg.setAttribute('data-points', String(count));
    var yTicks, py;
    if (spec.log) {
      var lo = ys.length ? Math.floor(Math.log10(Math.min.apply(null, ys))) : 1;
      var hi = ys.length ? Math.ceil(Math.log10(Math.max.apply(null, ys)) + 1e-9) : 3;
      if (hi <= lo) hi = lo + 1;
      yTicks = [];
      for (var d = lo; d <= hi; d++) yTicks.push(Math.pow(10, d));
      py = function (y) { return M.t + ph - ((Math.log10(y) - lo) / (hi - lo)) * ph; };
    } else {
      yTicks = niceTicks(ys.length ? Math.max.apply(null, ys) * 1.05 : 1);
      var yMax = yTicks[yTicks.length - 1];
      py = function (y) { return M.t + ph - (y / yMax) * ph; };
    }
    var px = function (x) { return M.l + (x / xMax) * pw; };
    svg.appendChild(s('rect', { x: 0, y: 0, width: W, height: H, fill: '#fff' }));
    if (spec.shade && spec.shade.to > 0) {
      svg.appendChild(s('rect', { 'class': 'shade', x: px(0), y: M.t, width: Math.max(0, px(Math.min(spec.shade.to, xMax)) - px(0)), height: ph, fill: '#eee' }));
    }
    (spec.bands || []).forEach(function (b) {
      var x1 = px(Math.max(0, b.from)), x2 = px(Math.min(xMax, b.to));
      if (x2 >= x1) svg.appendChild(s('rect', { 'class': 'band', x: x1, y: M.t, width: Math.max(1, x2 - x1), height: ph, fill: '#f4c7c3', 'fill-opacity': 0.6 })).appendChild(s('title', {}, b.label));
    });
    yTicks.forEach(function (t) {
      var y = py(t).toFixed(1);
      svg.appendChild(s('line', { x1: M.l, x2: M.l + pw, y1: y, y2: y, stroke: '#e4e4e4' }));
      svg.appendChild(s('text', { x: M.l - 6, y: Number(y) + 4, 'text-anchor': 'end', 'class': 'tick' }, spec.yFormat(t)));
    });
    niceTicks(xMax).forEach(function (t) {
      if (t > xMax || t !== Math.round(t)) return;
      svg.appendChild(s('text', { x: px(t).toFixed(1), y: M.t + ph + 16, 'text-anchor': 'middle', 'class': 'tick' }, fmtClock(t)));
    });
    svg.appendChild(s('rect', { x: M.l, y: M.t, width: pw, height: ph, fill: 'none', stroke: '#999' }));
    spec.series.forEach(function (se, i) {
      var colour = PALETTE[i % PALETTE.length], d = '', pen = 'M', last = null;
      se.points.forEach(function (p) {
        if (!good(p[1])) { pen = 'M'; return; }
        last = [px(p[0]), py(p[1])];
        d += pen + last[0].toFixed(1) + ',' + last[1].toFixed(1) + ' ';
        pen = 'L';
      });
      var path = s('path', { 'class': 'series', 'data-series': se.name, d: d.trim() || 'M0,0', fill: 'none', stroke: colour, 'stroke-width': 2 });
      path.appendChild(s('title', {}, se.name));
      svg.appendChild(path);
      if (last) svg.appendChild(s('circle', { 'class': 'last', cx: last[0].toFixed(1), cy: last[1].toFixed(1), r: 3, fill: colour }));
      svg.appendChild(s('line', { x1: M.l + 8, x2: M.l + 24, y1: M.t + 10 + i * 14, y2: M.t + 10 + i * 14, stroke: colour, 'stroke-width': 2 }));
      svg.appendChild(s('text', { x: M.l + 28, y: M.t + 14 + i * 14, 'class': 'legend' }, se.name));
    });
  }
  function renderCharts() {
    var secs = state.seconds;
    var config = state.run ? state.run.config : null;
    var expected = config && config.durationS !== null ? config.warmupS + config.durationS : 10;
    var shade = config ? { to: config.warmupS } : null;
    var measured = state.phase === 'measured' || state.phase === 'finished';
    var bands = (measured && state.result ? state.result.outages : []).filter(function (o) { return o.fromS !== null; }).map(function (o) {
      return { from: o.fromS, to: o.toS, label: 'outage ' + fmtSeconds(o.durationS) + (o.ongoing ? ' (ongoing)' : '') };
    });
    var pick = function (f) { return secs.map(function (x) { return [x.second, f(x)]; }); };
    drawChart(byId('chart-throughput'), {
      series: [{ name: 'msgs/s', points: pick(function (x) { return x.msgsPerS; }) }],
      xMin: expected, yFormat: fmtCount, shade: shade, bands: bands
    });
    drawChart(byId('chart-latency'), {
      series: [
        { name: 'p50', points: pick(function (x) { return x.latencyUs.p50; }) },
        { name: 'p99', points: pick(function (x) { return x.latencyUs.p99; }) },
        { name: 'p99.9', points: pick(function (x) { return x.latencyUs.p999; }) }
      ],
      log: true, xMin: expected, yFormat: fmtMicros, shade: shade, bands: bands
    });
    var categories = Object.keys(state.totals.errorsByCategory).sort();
    var errorSeries = categories.length === 0
      ? [{ name: 'errors/s', points: pick(function (x) { return x.errors; }) }]
      : categories.map(function (c) { return { name: c, points: pick(function (x) { return x.errorsByCategory[c] || 0; }) }; });
    drawChart(byId('chart-errors'), { series: errorSeries, xMin: expected, yFormat: fmtCount, shade: shade, bands: bands });
  }

  /* ---- errors by category ---- */
  function renderErrors() {
    var tbody = clear(byId('errors-body'));
    var last = state.seconds.length > 0 ? state.seconds[state.seconds.length - 1] : null;
    var totals = state.totals.errorsByCategory;
    var categories = Object.keys(totals).sort();
    byId('errors-none').hidden = categories.length > 0;
    byId('errors-table').hidden = categories.length === 0;
    categories.forEach(function (c) {
      var now = last && last.errorsByCategory[c] ? last.errorsByCategory[c] : 0;
      tbody.appendChild(h('tr', { 'data-category': c }, [h('td', null, [c]), h('td', { 'class': 'num' }, [fmtCount(now)]), h('td', { 'class': 'num' }, [fmtCount(totals[c])])]));
    });
  }

  /* ---- the finished run ---- */
  function row(label, value, key) { return h('tr', key ? { 'data-result': key } : null, [h('th', null, [label]), h('td', null, [value])]); }
  function renderResult() {
    var section = byId('result');
    var out = clear(byId('result-body'));
    var r = state.result;
    if (!r && state.phase !== 'failed') { section.hidden = true; return; }
    section.hidden = false;
    byId('result-title').textContent = KIND === 'sweep' ? 'Last repetition' : 'Result';
    if (!r) { out.appendChild(h('p', { 'class': 'bad' }, ['The run failed before it measured anything.'])); return; }
    var rows = [
      row('stopped', r.stopReason + (r.stopDetail ? ': ' + r.stopDetail : '') + ' after ' + fmtSeconds(r.durationS), 'stop'),
      row('throughput', fmtCount(r.msgsPerS) + ' msgs/s', 'msgsPerS'),
      row('latency', 'p50 ' + fmtMicros(r.latencyUs.p50) + ' · p99 ' + fmtMicros(r.latencyUs.p99) + ' · p99.9 ' + fmtMicros(r.latencyUs.p999) + ' · max ' + fmtMicros(r.latencyUs.max), 'latency'),
      row('messages', fmtCount(r.sent) + ' sent, ' + fmtCount(r.received) + ' echoed', 'messages'),
      row('errors', fmtCount(r.errorsTotal) + Object.keys(r.errorsByCategory).sort().map(function (c) { return ' · ' + c + ' ' + fmtCount(r.errorsByCategory[c]); }).join(''), 'errors')
    ];
    if (r.sendLag) {
      rows.push(row('send lag', fmtLag(r.sendLag.meanMs) + ' mean' + ' · ' + fmtCount(r.sendLag.lateSends) + ' late · ' + fmtCount(r.sendLag.heldBackSends) + ' held back · ' + fmtCount(r.sendLag.unsent) + ' unsent', 'sendLag'));
    }
    if (r.resilience) {
      var z = r.resilience;
      rows.push(row('resilience', fmtCount(z.reconnects) + ' reconnects · ' + fmtCount(z.lost) + ' lost · longest outage ' + fmtSeconds(z.longestOutageS) + ' · mean recovery ' + fmtSeconds(z.meanRecoveryS) + ' · ' + z.breakerTransitions + ' breaker transitions', 'resilience'));
    }
    out.appendChild(h('table', { 'class': 'kv' }, [h('tbody', null, rows)]));
    if (r.outages.length > 0) {
      out.appendChild(h('h3', null, ['Outages']));
      out.appendChild(h('table', { id: 'outages' }, [
        h('thead', null, [h('tr', null, ['from', 'to', 'duration', 'streams', 'reconnects', 'lost', 'delayed'].map(function (x) { return h('th', null, [x]); }))]),
        h('tbody', null, r.outages.map(function (o) {
          return h('tr', { 'data-outage': '' }, [
            h('td', { 'class': 'num' }, [o.fromS === null ? '–' : fmtSeconds(o.fromS)]),
            h('td', { 'class': 'num' }, [o.ongoing ? 'ongoing' : o.toS === null ? '–' : fmtSeconds(o.toS)]),
            h('td', { 'class': 'num' }, [fmtSeconds(o.durationS)]),
            h('td', { 'class': 'num' }, [fmtCount(o.streams)]),
            h('td', { 'class': 'num' }, [fmtCount(o.reconnects)]),
            h('td', { 'class': 'num' }, [fmtCount(o.lost)]),
            h('td', { 'class': 'num' }, [o.delayed === null ? '–' : fmtCount(o.delayed)])
          ]);
        }))
      ]));
    }
    if (r.warnings.length > 0) out.appendChild(h('ul', { 'class': 'warnings' }, r.warnings.map(function (w) { return h('li', null, [w]); })));
  }

  /* ---- sweep ---- */
  function renderEta() {
    var p = state && state.sweep ? state.sweep.progress : null;
    if (!p) return;
    var gone = state.phase === 'finished' ? 0 : (Date.now() - etaAt) / 1000;
    byId('sweep-eta').textContent = state.phase === 'finished' ? 'done in ' + fmtClock(p.elapsedS) : 'elapsed ' + fmtClock(p.elapsedS + gone) + ' · ETA ' + fmtClock(Math.max(0, p.etaS - gone));
  }
  function sortKeys(values) {
    return values.sort(function (a, b) { return a === null ? -1 : b === null ? 1 : a - b; });
  }
  function renderSweep() {
    var section = byId('sweep');
    if (!state.sweep) { section.hidden = true; return; }
    section.hidden = false;
    var p = state.sweep.progress;
    var bar = byId('sweep-bar');
    if (p) {
      bar.max = p.total; bar.value = p.done;
      bar.setAttribute('data-done', String(p.done));
      byId('sweep-count').textContent = p.done + ' / ' + p.total + ' repetitions';
      byId('sweep-now').textContent = state.phase === 'finished'
        ? 'all cells done'
        : (p.phase === 'repetition-start' ? 'running' : 'finished') + ' cell ' + p.cellIndex + '/' + p.cellCount + ' ' + p.cellId + ' · repetition ' + (p.repetition + 1) + '/' + p.repeat;
    } else {
      byId('sweep-now').textContent = 'starting…';
    }
    renderEta();
    var running = p && p.phase === 'repetition-start' && state.phase !== 'finished' ? p.cellId : null;
    var groups = {};
    state.sweep.cells.forEach(function (c) { (groups[c.group] = groups[c.group] || []).push(c); });
    var holder = clear(byId('sweep-tables'));
    Object.keys(groups).sort().forEach(function (g) {
      var cells = groups[g];
      var sizes = sortKeys(cells.map(function (c) { return c.size; }).filter(function (v, i, a) { return a.indexOf(v) === i; }));
      var windows = sortKeys(cells.map(function (c) { return c.window; }).filter(function (v, i, a) { return a.indexOf(v) === i; }));
      var head = h('tr', null, [h('th', null, ['size \\ window'])].concat(windows.map(function (w) { return h('th', null, [fmtBytes(w)]); })));
      var rows = sizes.map(function (size) {
        return h('tr', null, [h('th', null, [fmtBytes(size)])].concat(windows.map(function (w) {
          var cell = cells.filter(function (c) { return c.size === size && c.window === w; })[0];
          if (!cell) return h('td', { 'class': 'empty' }, ['·']);
          var msgs = median(cell.reps.map(function (r) { return r.msgsPerS; }));
          var p99 = median(cell.reps.map(function (r) { return r.p99Us; }));
          var cls = cell.cellId === running ? 'running' : cell.reps.length === 0 ? 'pending' : 'done';
          return h('td', { 'class': cls, 'data-cell': cell.cellId, 'data-msgs-per-s': msgs === null ? '' : msgs, 'data-reps': cell.reps.length, title: cell.cellId }, [
            h('span', { 'class': 'msgs' }, [msgs === null ? (cls === 'running' ? 'running…' : '–') : fmtCount(msgs) + ' msgs/s']),
            h('span', { 'class': 'p99' }, [p99 === null ? '' : 'p99 ' + fmtMicros(p99)]),
            h('span', { 'class': 'reps' }, [cell.reps.length + (p ? '/' + p.repeat : '') + ' reps'])
          ]);
        })));
      });
      holder.appendChild(h('div', { 'class': 'sweep-group' }, [
        h('h3', null, [g]),
        h('table', { 'class': 'sweep-table', 'data-group': g }, [h('thead', null, [head]), h('tbody', null, rows)])
      ]));
    });
  }

  function renderPath() {
    var e = byId('results-path');
    if (state.phase !== 'finished') { e.hidden = true; return; }
    e.hidden = false;
    clear(e);
    if (state.resultsPath === null) e.appendChild(document.createTextNode('No results file was written.'));
    else { e.appendChild(document.createTextNode('Results written to ')); e.appendChild(h('code', { id: 'results-file' }, [state.resultsPath])); }
  }

  function renderAll() {
    body.setAttribute('data-phase', state.phase);
    byId('run-cell').textContent = state.run && state.run.cellId !== null ? 'cell ' + state.run.cellId + (state.run.repetition !== null ? ' · repetition ' + (state.run.repetition + 1) : '') : '';
    renderRunInfo();
    renderFigures();
    renderBackends();
    renderCharts();
    renderErrors();
    renderResult();
    renderSweep();
    renderPath();
  }

  /* ---- events ---- */
  var handlers = {
    snapshot: function (d) { state = d; etaAt = Date.now(); renderAll(); if (state.phase === 'finished') stop('finished'); },
    'run-started': function (d) {
      state.run = d; state.seconds = []; state.phase = 'running';
      state.totals = { seconds: 0, received: 0, errors: 0, errorsByCategory: {}, reconnects: 0 };
      renderAll();
    },
    second: function (d) {
      state.totals = d.totals;
      delete d.totals;
      if (state.seconds.length > 0) delete state.seconds[state.seconds.length - 1].backends;
      state.seconds.push(d);
      if (state.seconds.length > MAX_SECONDS) state.seconds.splice(0, state.seconds.length - MAX_SECONDS);
      state.phase = 'running';
      body.setAttribute('data-phase', state.phase);
      body.setAttribute('data-second', String(d.second));
      renderFigures(); renderBackends(); renderCharts(); renderErrors();
    },
    'run-finished': function (d) { state.result = d.result; state.phase = d.result === null ? 'failed' : 'measured'; renderAll(); },
    sweep: function (d) {
      state.sweep.progress = d.progress;
      etaAt = Date.now();
      if (d.cell) {
        var i = state.sweep.cells.map(function (c) { return c.cellId; }).indexOf(d.cell.cellId);
        if (i < 0) state.sweep.cells.push(d.cell); else state.sweep.cells[i] = d.cell;
      }
      renderSweep();
    },
    finished: function (d) { state.phase = 'finished'; state.resultsPath = d.resultsPath; renderAll(); stop('finished'); },
    end: function () { stop(state && state.phase === 'finished' ? 'finished' : 'disconnected'); }
  };
  function stop(status) {
    ended = true;
    if (source) source.close();
    setStatus(status);
  }
  function connect() {
    source = new EventSource('events');
    Object.keys(handlers).forEach(function (type) {
      source.addEventListener(type, function (e) {
        if (type !== 'snapshot' && !state) return;
        handlers[type](JSON.parse(e.data));
      });
    });
    source.onopen = function () { failures = 0; if (!ended) setStatus('live'); };
    source.onerror = function () {
      if (ended) return;
      failures++;
      if (source.readyState === 2 || failures > 3) stop('disconnected');
      else setStatus('reconnecting');
    };
  }
  setInterval(function () { if (state && state.sweep && !ended) renderEta(); }, 1000);
  setStatus('connecting');
  connect();
})();
`;
