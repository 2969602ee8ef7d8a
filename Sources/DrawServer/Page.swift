/// The page served at `/`: one document with its style and script inline, so that it works
/// offline and its Content-Security-Policy can forbid every other source.
enum Page {
    static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Draw a digit · digits</title>
    <link rel="icon" href="data:,">
    <style>
    \(style)
    </style>
    </head>
    <body data-state="empty">
    \(body)
    <script>
    \(script)
    </script>
    </body>
    </html>
    """

    static let body = """
    <header>
      <h1>Draw a digit</h1>
      <p>Write one digit, 0 to 9, in the black square with a mouse, a finger or a pen.
         The neural network reads it while you draw.</p>
    </header>
    <main>
      <section class="card" aria-labelledby="draw-title">
        <h2 id="draw-title"><span class="step">1</span> Your drawing</h2>
        <canvas id="pad" width="280" height="280" role="img"
                aria-label="Drawing area: draw a digit here with a mouse, a finger or a pen"></canvas>
        <div class="buttons">
          <button id="undo" type="button" title="Undo the last stroke (Ctrl+Z)">↶ Undo</button>
          <button id="clear" type="button" title="Clear the drawing (Esc)">✕ Clear</button>
        </div>
        <p class="hint">Draw big and in the middle.<span class="keys"> Keys: Ctrl+Z undoes a stroke, Esc clears.</span></p>
      </section>

      <section class="card" aria-labelledby="read-title">
        <h2 id="read-title"><span class="step">2</span> What the network reads</h2>
        <div class="verdict">
          <figure class="seen">
            <canvas id="input" width="28" height="28" role="img"
                    aria-label="The 28 by 28 image the network sees"></canvas>
            <figcaption>What it sees: 28×28 pixels</figcaption>
          </figure>
          <div class="answer" aria-live="polite">
            <div id="digit" class="digit" data-digit="">?</div>
            <div id="status" class="status">Draw a digit to begin</div>
          </div>
        </div>
        <div id="bars" class="bars" role="list" aria-label="Probability of each digit"></div>
        <p class="hint">Your drawing is cropped, scaled to fit 20×20 pixels and centred by its
           centre of mass in 28×28, as the MNIST digits the network learnt from were.</p>
      </section>

      <section class="card" aria-labelledby="model-title">
        <h2 id="model-title"><span class="step">3</span> The model</h2>
        <dl id="model" class="facts"><dt>Loading…</dt><dd></dd></dl>
        <p id="report" class="report"></p>
      </section>
    </main>
    <footer>Served by <code>digits serve</code> on this computer: your drawings go nowhere else.
      API: <code>POST /api/predict</code>, <code>GET /api/model</code>.</footer>
    """
}
