/// The live view's page: one document with its style and script inline (it loads nothing
/// from elsewhere), polling `/api/run` every second and drawing what it says. Every text
/// from the run (worker names, drop reasons) goes in as text, never as markup.
enum LivePage {
    static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Live run · digits</title>
    <link rel="icon" href="data:,">
    <style>
    \(style)
    </style>
    </head>
    <body>
    <header>
      <h1>digits: live run</h1>
      <p id="title">waiting for the coordinator…</p>
      <p><span id="state" class="state">connecting</span> <span id="progress"></span></p>
    </header>
    <section class="figures">
      <div><span id="step">–</span><small>step</small></div>
      <div><span id="epoch">–</span><small>epoch</small></div>
      <div><span id="rate">–</span><small>samples/s</small></div>
      <div><span id="steptime">–</span><small>last step</small></div>
      <div><span id="testacc">–</span><small>test accuracy</small></div>
    </section>
    <section class="charts">
      <figure><figcaption>Loss per epoch</figcaption><svg id="loss" viewBox="0 0 360 200" role="img" aria-label="loss per epoch"></svg></figure>
      <figure><figcaption>Accuracy per epoch</figcaption><svg id="accuracy" viewBox="0 0 360 200" role="img" aria-label="accuracy per epoch"></svg></figure>
    </section>
    <p class="legend"><span class="train">■ train</span> <span class="test">■ test</span> <span class="now">● this epoch so far</span></p>
    <h2>Workers</h2>
    <div class="wide">
    <table id="workers">
      <thead><tr><th>worker</th><th>state</th><th>last step: compute</th><th>waited</th><th>last epoch: median</th><th>p95</th><th>sent</th><th>received</th></tr></thead>
      <tbody></tbody>
    </table>
    </div>
    <p id="counts"></p>
    <h2>The last step, worker by worker</h2>
    <p class="note">Where the step's time went: the coordinator's send, wait and update, each worker's order, compute (a bar per micro-batch node below it), exchange and reply, on the coordinator's clock.</p>
    <img id="timeline" alt="the last step's timeline" hidden>
    <p class="note">Prometheus: <a href="/metrics">/metrics</a>. Raw status: <a href="/api/run">/api/run</a>.</p>
    <script>
    \(script)
    </script>
    </body>
    </html>
    """

    static let style = """
    body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; padding: 0 1em; color: #222; }
    h1 { font-size: 1.5em; margin: 0 0 .2em; }
    h2 { font-size: 1.15em; margin-top: 1.5em; }
    .state { display: inline-block; padding: .1em .6em; border-radius: 1em; background: #ddd; font-weight: 600; }
    .state.training { background: #cde8cd; } .state.failed { background: #f3c4c4; } .state.finished { background: #c9dcf5; }
    .figures { display: flex; flex-wrap: wrap; gap: 1.5em; margin: 1em 0; }
    .figures div { display: flex; flex-direction: column; font-size: 1.6em; font-variant-numeric: tabular-nums; }
    .figures small { font-size: .5em; color: #666; }
    .charts { display: flex; flex-wrap: wrap; gap: 1em; }
    .charts figure { margin: 0; flex: 1 1 340px; }
    .charts svg { width: 100%; height: auto; border: 1px solid #ddd; background: #fff; }
    .charts text { font-size: 10px; fill: #555; }
    .legend span { margin-right: 1em; } .train { color: #1f77b4; } .test { color: #d62728; } .now { color: #555; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { padding: .25em .7em; border-bottom: 1px solid #eee; text-align: right; }
    th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
    tr.dropped td, tr.left td { color: #999; }
    td.why { text-align: left; color: #a33; }
    .note { color: #666; font-size: .9em; }
    #timeline { width: 100%; height: auto; border: 1px solid #ddd; }
    /* The workers' table is wider than a phone: it scrolls in its box, the page does not. */
    .wide { overflow-x: auto; }
    @media (max-width: 600px) {
      body { margin: .8em auto; padding: 0 .6em; }
      h1 { font-size: 1.25em; }
      .figures { gap: .4em 1.2em; margin: .6em 0; }
      .figures div { font-size: 1.25em; }
      th, td { padding: .2em .4em; }
    }
    """

    static let script = """
    "use strict";
    const $ = (id) => document.getElementById(id);
    const NS = "http://www.w3.org/2000/svg";

    function svgElement(name, attributes) {
      const e = document.createElementNS(NS, name);
      for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
      return e;
    }
    function number(x, digits) { return x === undefined || x === null ? "–" : Number(x).toLocaleString("en", { maximumFractionDigits: digits }); }
    function ms(seconds) { return seconds === undefined || seconds === null ? "–" : (1000 * seconds).toFixed(1) + " ms"; }
    function bytes(n) { return n === undefined ? "–" : n < 1e6 ? (n / 1e3).toFixed(1) + " kB" : (n / 1e6).toFixed(1) + " MB"; }

    // A chart of one or two series against the epochs; `now` is the current epoch's value so far.
    function chart(svg, series, now, epochs, log) {
      svg.replaceChildren();
      const W = 360, H = 200, L = 44, R = 10, T = 10, B = 24;
      const values = series.flatMap((s) => s.points.map((p) => p[1])).concat(now ? [now[1]] : []).filter((v) => isFinite(v) && (!log || v > 0));
      if (values.length === 0) return;
      const f = log ? Math.log10 : (v) => v;
      let lo = f(Math.min(...values)), hi = f(Math.max(...values));
      if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
      const x = (e) => L + (W - L - R) * (e - 1) / Math.max(1, epochs - 1);
      const y = (v) => T + (H - T - B) * (1 - (f(v) - lo) / (hi - lo));
      svg.append(svgElement("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#999" }));
      svg.append(svgElement("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#999" }));
      for (const v of [lo, hi]) {
        const t = svgElement("text", { x: L - 4, y: y(log ? 10 ** v : v) + 3, "text-anchor": "end" });
        t.textContent = log ? (10 ** v).toPrecision(2) : v.toPrecision(3);
        svg.append(t);
      }
      const label = svgElement("text", { x: W - R, y: H - 6, "text-anchor": "end" });
      label.textContent = "epoch (of " + epochs + ")";
      svg.append(label);
      for (const s of series) {
        const points = s.points.filter((p) => isFinite(p[1]) && (!log || p[1] > 0));
        svg.append(svgElement("polyline", { class: "series " + s.name, fill: "none", stroke: s.color, "stroke-width": 2,
          points: points.map((p) => x(p[0]) + "," + y(p[1])).join(" ") }));
        for (const p of points) svg.append(svgElement("circle", { class: "point " + s.name, cx: x(p[0]), cy: y(p[1]), r: 2.5, fill: s.color }));
      }
      if (now && isFinite(now[1]) && (!log || now[1] > 0)) {
        svg.append(svgElement("circle", { class: "now", cx: x(now[0]), cy: y(now[1]), r: 4, fill: "none", stroke: "#555", "stroke-width": 1.5 }));
      }
    }

    function workers(status) {
      const epoch = new Map(((status.history.at(-1) || {}).per_worker || []).map((w) => [w.name, w]));
      const step = new Map(status.last_step.map((w) => [w.name, w]));
      const body = $("workers").tBodies[0];
      body.replaceChildren();
      for (const w of status.roster.workers) {
        const row = body.insertRow();
        row.className = w.state;
        row.dataset.worker = w.name;
        const s = step.get(w.name), e = epoch.get(w.name);
        const active = w.state === "active";
        const cells = [w.name, w.state, active && s ? ms(s.compute_seconds) : "", active && s ? ms(s.waiting_seconds) : "",
                       active && e ? ms(e.compute_median_seconds) : "", active && e ? ms(e.compute_p95_seconds) : "",
                       active && s ? bytes(s.bytes_sent) : "", active && s ? bytes(s.bytes_received) : ""];
        for (const c of cells) row.insertCell().textContent = c;
        if (w.reason) {
          const why = body.insertRow();
          why.className = w.state;
          const cell = why.insertCell();
          cell.colSpan = 8;
          cell.className = "why";
          cell.textContent = w.name + ": " + w.reason;
        }
      }
      const r = status.roster;
      $("counts").textContent = r.joins + " joined, " + r.drops + " dropped, " + r.leaves + " left, " + r.redone_steps + " step(s) computed again";
    }

    function render(status) {
      $("title").textContent = status.title;
      $("state").textContent = status.state;
      $("state").className = "state " + status.state;
      $("progress").textContent = "after " + number(status.seconds, 0) + " s";
      $("step").textContent = number(status.step, 0) + " / " + number(status.total_steps, 0);
      $("epoch").textContent = number(status.epoch, 0) + " / " + number(status.epochs, 0);
      $("rate").textContent = number(status.samples_per_second, 0);
      $("steptime").textContent = ms(status.step_seconds);
      const last = status.history.at(-1);
      $("testacc").textContent = last ? (100 * last.test_accuracy).toFixed(2) + "%" : "–";
      const h = status.history;
      const now = status.state === "training" && status.epoch > h.length ? status.epoch : null;
      chart($("loss"), [{ name: "train", color: "#1f77b4", points: h.map((m) => [m.epoch, m.train_loss]) },
                        { name: "test", color: "#d62728", points: h.map((m) => [m.epoch, m.test_loss]) }],
            now && [now, status.loss], status.epochs, true);
      chart($("accuracy"), [{ name: "train", color: "#1f77b4", points: h.map((m) => [m.epoch, m.train_accuracy]) },
                            { name: "test", color: "#d62728", points: h.map((m) => [m.epoch, m.test_accuracy]) }],
            now && [now, status.accuracy], status.epochs, false);
      workers(status);
      // A new picture only for a new step (the name says which: "step E.S").
      const drawn = status.timeline && status.timeline.step.name;
      if (drawn && $("timeline").dataset.step !== drawn) {
        $("timeline").dataset.step = drawn;
        $("timeline").src = "/timeline.svg?step=" + encodeURIComponent(drawn);
        $("timeline").hidden = false;
      }
    }

    async function poll() {
      try {
        const response = await fetch("/api/run", { cache: "no-store" });
        if (response.ok) render(await response.json());
        else $("state").textContent = (await response.json()).error;
      } catch (e) {
        $("state").textContent = "the live view's server is gone (the run has ended?)";
        $("state").className = "state failed";
      }
      setTimeout(poll, 1000);
    }
    poll();
    """
}
