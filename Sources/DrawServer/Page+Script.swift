extension Page {
    /// Drawing with pointer events, strokes kept for undo; the canvas is sent as a PNG to
    /// `/api/predict` at most every `delay` ms while drawing, and the newest answer shown.
    static let script = #"""
    "use strict";
    const pad = document.getElementById("pad"), pen = pad.getContext("2d");
    const seen = document.getElementById("input").getContext("2d");
    const digitView = document.getElementById("digit"), statusView = document.getElementById("status");
    const undoButton = document.getElementById("undo"), clearButton = document.getElementById("clear");
    const SIZE = pad.width, LINE = 22, DELAY = 90;
    const strokes = [];
    let current = null, activePointer = null;
    let version = 0, dirty = false, inFlight = false, timer = null;

    const bars = [];
    for (let d = 0; d < 10; d++) {
      const bar = document.createElement("div");
      bar.className = "bar"; bar.setAttribute("role", "listitem");
      bar.innerHTML = '<span class="pct"></span><div class="fill"></div><span class="label">' + d + "</span>";
      document.getElementById("bars").appendChild(bar);
      bars.push(bar);
    }

    function redraw() {
      pen.fillStyle = "#000"; pen.fillRect(0, 0, SIZE, SIZE);
      pen.strokeStyle = "#fff"; pen.lineWidth = LINE; pen.lineCap = "round"; pen.lineJoin = "round";
      for (const s of strokes) {
        pen.beginPath(); pen.moveTo(s[0].x, s[0].y);
        if (s.length === 1) pen.lineTo(s[0].x + 0.01, s[0].y);
        for (const p of s) pen.lineTo(p.x, p.y);
        pen.stroke();
      }
      undoButton.disabled = clearButton.disabled = strokes.length === 0;
    }

    function point(e) {
      const r = pad.getBoundingClientRect();
      return { x: (e.clientX - r.left) * SIZE / r.width, y: (e.clientY - r.top) * SIZE / r.height };
    }

    pad.addEventListener("pointerdown", e => {
      if (activePointer !== null || (e.pointerType === "mouse" && e.button !== 0)) return;
      e.preventDefault();
      activePointer = e.pointerId;
      pad.setPointerCapture(e.pointerId);
      current = [point(e)];
      strokes.push(current);
      redraw(); changed();
    });
    pad.addEventListener("pointermove", e => {
      if (e.pointerId !== activePointer) return;
      const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
      for (const c of (events.length ? events : [e])) current.push(point(c));
      redraw(); changed();
    });
    for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
      pad.addEventListener(type, e => {
        if (e.pointerId !== activePointer) return;
        activePointer = null; current = null;
      });
    }

    function undo() {
      if (activePointer !== null || strokes.length === 0) return;
      strokes.pop(); redraw();
      strokes.length ? changed() : showEmpty();
    }
    function clearAll() {
      if (activePointer !== null) return;
      strokes.length = 0; redraw(); showEmpty();
    }
    undoButton.addEventListener("click", undo);
    clearButton.addEventListener("click", clearAll);
    document.addEventListener("keydown", e => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z") { e.preventDefault(); undo(); }
      else if (e.key === "Escape") clearAll();
    });

    // The drawing changed: ask again soon, but never with two requests in flight.
    function changed() {
      version++; dirty = true; document.body.dataset.state = "waiting";
      if (timer === null && !inFlight) timer = setTimeout(send, DELAY);
    }

    async function send() {
      timer = null;
      if (!dirty) return;
      dirty = false; inFlight = true;
      const asked = version;
      try {
        const png = await new Promise(resolve => pad.toBlob(resolve, "image/png"));
        const response = await fetch("/api/predict", { method: "POST", headers: { "Content-Type": "image/png" }, body: png });
        const answer = await response.json();
        if (asked === version) response.ok ? show(answer) : showError(answer.error || "the server refused the drawing");
      } catch (error) {
        if (asked === version) showError("The server does not answer. Is digits serve still running?");
      } finally {
        inFlight = false;
        if (dirty) timer = setTimeout(send, DELAY);
      }
    }

    function show(answer) {
      const p = answer.probabilities;
      digitView.textContent = answer.digit;
      digitView.dataset.digit = String(answer.digit);
      // A calibrated confidence under the model's threshold: say so, with the second guess.
      const [first, second] = answer.top_two;
      statusView.textContent = answer.sure ? (100 * p[first]).toFixed(1) + "% sure"
        : "not sure: " + first + " (" + (100 * p[first]).toFixed(0) + "%) or " + second + " (" + (100 * p[second]).toFixed(0) + "%)";
      document.body.dataset.sure = String(answer.sure);
      setBars(p, answer.digit);
      const image = seen.createImageData(answer.input.width, answer.input.height);
      answer.input.pixels.forEach((v, i) => { image.data.set([v, v, v, 255], 4 * i); });
      seen.putImageData(image, 0, 0);
      document.body.dataset.state = "done";
    }

    function showEmpty() {
      version++; dirty = false;
      if (timer !== null) { clearTimeout(timer); timer = null; }
      digitView.textContent = "?"; digitView.dataset.digit = ""; delete document.body.dataset.sure;
      statusView.textContent = "Draw a digit to begin";
      setBars(new Array(10).fill(0), -1);
      seen.fillStyle = "#000"; seen.fillRect(0, 0, 28, 28);
      document.body.dataset.state = "empty";
    }

    function showError(message) {
      digitView.textContent = "?"; digitView.dataset.digit = "";
      statusView.textContent = message;
      setBars(new Array(10).fill(0), -1);
      document.body.dataset.state = "error";
    }

    function setBars(p, top) {
      bars.forEach((bar, d) => {
        const percent = 100 * (p[d] || 0);
        bar.querySelector(".fill").style.height = (percent * 0.8).toFixed(1) + "%";
        bar.querySelector(".pct").textContent = percent >= 0.5 ? percent.toFixed(0) + "%" : "";
        bar.classList.toggle("top", d === top);
        bar.setAttribute("aria-label", d + ": " + percent.toFixed(1) + "%");
      });
    }

    function fact(list, name, value) {
      if (value === undefined || value === null || value === "") return;
      const dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = name; dd.textContent = value;
      list.append(dt, dd);
    }

    async function describeModel() {
      const list = document.getElementById("model"), report = document.getElementById("report");
      try {
        const m = await (await fetch("/api/model")).json();
        const t = m.training || {};
        list.replaceChildren();
        const names = { relu: "ReLU", softmax: "softmax", sigmoid: "sigmoid", identity: "linear" };
        fact(list, "Network", m.layers[0] + " pixels → " + m.layers.slice(1).map((n, i) => n + " " + (names[m.activations[i]] || m.activations[i])).join(" → "));
        fact(list, "Loss", m.loss === "categoricalCrossEntropy" ? "cross-entropy" : m.loss);
        fact(list, "Parameters", m.parameters.toLocaleString("en"));
        fact(list, "Test accuracy", m.test_accuracy === undefined ? "not recorded" : (100 * m.test_accuracy).toFixed(2) + "%");
        fact(list, "Epochs", m.epochs);
        fact(list, "Workers", m.workers === undefined ? undefined : m.workers + (m.trained_by ? " (" + m.trained_by + ")" : ""));
        fact(list, "Seed", m.seed);
        fact(list, "Data", t.data && t.training_samples ? t.data + ", " + Number(t.training_samples).toLocaleString("en") + " training images" : t.data);
        fact(list, "Batch", t.batch && t.micro_batch ? t.batch + " (micro-batches of " + t.micro_batch + ")" : t.batch);
        fact(list, "Optimiser", t.optimizer && t.learning_rate ? t.optimizer + ", learning rate " + t.learning_rate : t.optimizer);
        fact(list, "File", m.name);
        if (m.report) {
          const a = document.createElement("a");
          a.href = m.report; a.target = "_blank"; a.rel = "noopener";
          a.textContent = "Open the training report (loss, accuracy, confusion matrix) →";
          report.replaceChildren(a);
        } else {
          report.textContent = "No training report was found beside the model file.";
        }
      } catch (error) {
        list.replaceChildren();
        fact(list, "Model", "could not be described: " + error);
      }
    }

    redraw(); showEmpty(); describeModel();
    """#
}
