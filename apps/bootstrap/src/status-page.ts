/**
 * The human status page at `/`: plain HTML, inline CSS and script, an inline SVG chart; no
 * framework, no build step, no external resource. The first `/stats` snapshot is embedded so
 * the page draws at once; the script then refreshes it every `refresh` ms.
 */
export function statusPage (initial: unknown, refresh: number): string {
  // `<` escaped so that no value can close the script element
  const data = JSON.stringify(initial).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hyperdht-bootstrap</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.3rem; margin-bottom: 0.2rem; }
  .sub { color: #666; margin-top: 0; font-family: ui-monospace, monospace; font-size: 12px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0.6rem; margin: 1rem 0; }
  .fig { border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.7rem; }
  .fig b { display: block; font-size: 1.4rem; font-variant-numeric: tabular-nums; }
  .fig span { color: #666; font-size: 12px; }
  .ok { color: #197a32; } .bad { color: #b3261e; }
  svg { width: 100%; height: auto; border: 1px solid #ddd; border-radius: 6px; }
  table { border-collapse: collapse; font-size: 13px; } td { padding: 0.1rem 1rem 0.1rem 0; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>hyperdht-bootstrap <span id="health">…</span></h1>
<p class="sub">id <span id="node-id">…</span> · <span id="address">…</span> · up <span id="uptime">…</span></p>
<div class="grid">
  <div class="fig"><b id="table-size">…</b><span>routing-table contacts</span></div>
  <div class="fig"><b id="prefixes24">…</b><span>distinct /24 prefixes</span></div>
  <div class="fig"><b id="prefixes16">…</b><span>distinct /16 prefixes</span></div>
  <div class="fig"><b id="stored-announces">…</b><span>announces stored</span></div>
  <div class="fig"><b id="stored-values">…</b><span>values stored</span></div>
  <div class="fig"><b id="requests-in">…</b><span>requests received</span></div>
  <div class="fig"><b id="responses-out">…</b><span>responses sent</span></div>
  <div class="fig"><b id="timeouts">…</b><span>our requests timed out</span></div>
  <div class="fig"><b id="dropped">…</b><span>datagrams dropped</span></div>
  <div class="fig"><b id="rate-limited">…</b><span>requests rate-limited</span></div>
  <div class="fig"><b id="banned-sources">…</b><span>source IPs banned now</span></div>
  <div class="fig"><b id="loop-lag">…</b><span>event-loop lag (ms, p99)</span></div>
</div>
<h2 style="font-size:1rem">Requests received per second <small id="rate-now" style="font-weight:normal;color:#666"></small></h2>
<svg id="chart" viewBox="0 0 600 160" role="img" aria-label="request rate over the last minutes"></svg>
<h2 style="font-size:1rem">Requests by command</h2>
<table id="commands"></table>
<p class="sub">Dropped by reason: <span id="drop-reasons">…</span></p>
<p class="sub">Rate limit per source IP: <span id="rate-limit">…</span></p>
<p class="sub">Largest prefixes: <span id="largest">…</span> · <a href="/stats">/stats</a> · <a href="/metrics">/metrics</a> · <a href="/health">/health</a></p>
<script type="application/json" id="initial">${data}</script>
<script>
(function () {
  var REFRESH = ${Number(refresh)};
  function $(id) { return document.getElementById(id); }
  function set(id, v) { $(id).textContent = String(v); }
  function dur(s) {
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = Math.floor(s % 60);
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + r + 's';
  }
  // the smallest 1, 2 or 5 times a power of ten at or above m: a round top for the y axis
  function niceMax(m) {
    if (m <= 1) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(m)));
    return [1, 2, 5, 10].map(function (k) { return k * p; }).filter(function (v) { return v >= m; })[0];
  }
  function share(p) { return p ? p.prefix + ' (' + p.count + ', ' + Math.round(p.share * 100) + '%)' : 'none'; }
  var SVG = 'http://www.w3.org/2000/svg';
  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function chart(rate) {
    var svg = $('chart'), W = 600, H = 160, L = 44, B = 20, T = 10;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var per = rate.interval / 1000, pts = rate.samples.map(function (s) { return { at: s.at, v: s.requests / per }; });
    var max = pts.reduce(function (m, p) { return Math.max(m, p.v); }, 0);
    var top = niceMax(max);
    var n = rate.capacity, x = function (i) { return L + (W - L - 4) * (n <= 1 ? 1 : i / (n - 1)); };
    var y = function (v) { return T + (H - T - B) * (1 - v / top); };
    svg.appendChild(el('line', { x1: L, y1: y(0), x2: W - 4, y2: y(0), stroke: '#999' }));
    svg.appendChild(el('line', { x1: L, y1: y(top), x2: W - 4, y2: y(top), stroke: '#eee' }));
    svg.appendChild(el('text', { x: L - 6, y: y(top) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#666' }, String(top)));
    svg.appendChild(el('text', { x: L - 6, y: y(0) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#666' }, '0'));
    svg.appendChild(el('text', { x: W - 4, y: H - 4, 'text-anchor': 'end', 'font-size': 11, fill: '#666' }, 'now'));
    svg.appendChild(el('text', { x: L, y: H - 4, 'font-size': 11, fill: '#666' }, '-' + dur(n * per)));
    var off = n - pts.length;
    var coords = pts.map(function (p, i) { return x(off + i).toFixed(1) + ',' + y(p.v).toFixed(1); });
    if (coords.length === 1) coords.unshift(x(off).toFixed(1) + ',' + y(0).toFixed(1));
    var line = el('polyline', { id: 'rate-line', points: coords.join(' '), fill: 'none', stroke: '#2563eb', 'stroke-width': 2 });
    svg.appendChild(line);
    svg.setAttribute('data-points', String(pts.length));
    set('rate-now', pts.length ? '(last: ' + pts[pts.length - 1].v.toFixed(1) + '/s)' : '(no sample yet)');
  }
  function render(s) {
    set('node-id', s.id.slice(0, 16) + '…');
    set('address', s.address.host + ':' + s.address.port);
    set('uptime', dur(s.uptime));
    var h = $('health');
    h.textContent = s.health.ok ? 'healthy' : 'unhealthy';
    h.className = s.health.ok ? 'ok' : 'bad';
    set('table-size', s.routingTable.size);
    set('prefixes24', s.routingTable.diversity.prefixes24);
    set('prefixes16', s.routingTable.diversity.prefixes16);
    set('stored-announces', s.store.peers.peers);
    set('stored-values', s.store.values.values);
    set('requests-in', s.stats.requestsIn);
    set('responses-out', s.stats.responsesOut);
    set('timeouts', s.stats.timeouts);
    set('dropped', s.stats.dropped.total);
    set('loop-lag', s.eventLoop.p99.toFixed(1));
    var rl = s.rateLimit, lim = rl.limit;
    set('rate-limited', rl.dropped);
    set('banned-sources', rl.bannedSources);
    set('rate-limit', lim === false
      ? 'off (private networks only)'
      : lim.rate + ' requests/s, burst ' + lim.burst + '; a source ' + lim.banAfter + ' requests past its budget is ignored for ' +
        dur(lim.banDuration / 1000) + ' · ' + rl.bans + (rl.bans === 1 ? ' ban' : ' bans') + ' so far, ' + rl.trackedSources + ' sources tracked');
    set('largest', '/24 ' + share(s.routingTable.diversity.largest24) + ', /16 ' + share(s.routingTable.diversity.largest16));
    var reasons = [];
    for (var r in s.stats.dropped) if (r !== 'total' && s.stats.dropped[r] > 0) reasons.push(r + ' ' + s.stats.dropped[r]);
    set('drop-reasons', reasons.length ? reasons.join(', ') : 'none');
    var t = $('commands');
    while (t.firstChild) t.removeChild(t.firstChild);
    Object.keys(s.stats.commands).sort().forEach(function (c) {
      var row = document.createElement('tr'), v = s.stats.commands[c];
      [c, v.requestsIn + ' in', v.responsesOut + ' answered', v.requestsOut + ' sent', v.timeouts + ' timeouts'].forEach(function (x) {
        var td = document.createElement('td'); td.textContent = x; row.appendChild(td);
      });
      t.appendChild(row);
    });
    chart(s.requestRate);
    document.body.setAttribute('data-rendered', String(s.generatedAt));
  }
  render(JSON.parse($('initial').textContent));
  setInterval(function () {
    fetch('/stats', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(render, function () {
      $('health').textContent = 'unreachable'; $('health').className = 'bad';
    });
  }, REFRESH);
})();
</script>
</body>
</html>
`
}
