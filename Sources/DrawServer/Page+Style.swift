extension Page {
    static let style = """
    :root { --ink: #1d2433; --muted: #5c6577; --line: #dfe3ea; --accent: #4f46e5; --accent-soft: #e0e7ff;
            --bar: #c7cde0; --bg: #f4f6fa; color-scheme: light; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
           color: var(--ink); background: var(--bg); }
    header { padding: 24px 32px 8px; max-width: 1240px; margin: 0 auto; }
    h1 { margin: 0; font-size: 2rem; letter-spacing: -0.02em; }
    header p { margin: 4px 0 0; color: var(--muted); max-width: 46em; }
    main { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 20px;
           padding: 16px 32px; max-width: 1240px; margin: 0 auto; align-items: start; }
    .card { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 18px 20px;
            box-shadow: 0 1px 3px rgba(20, 30, 60, 0.06); }
    h2 { margin: 0 0 14px; font-size: 1.1rem; display: flex; align-items: center; gap: 10px; }
    .step { display: inline grid; place-items: center; width: 26px; height: 26px; border-radius: 50%;
            background: var(--accent-soft); color: var(--accent); font-size: 0.9rem; }
    #pad { display: block; width: min(280px, 100%); aspect-ratio: 1; margin: 0 auto; background: #000;
           border-radius: 10px; cursor: crosshair; touch-action: none; user-select: none; -webkit-user-select: none; }
    .buttons { display: flex; gap: 10px; justify-content: center; margin-top: 14px; }
    button { font: inherit; font-weight: 600; padding: 8px 18px; border-radius: 8px; cursor: pointer;
             border: 1px solid var(--line); background: #fff; color: var(--ink); }
    /* A touch screen keeps :hover on the last button tapped, which then looks pressed. */
    @media (hover: hover) { button:hover { background: var(--accent-soft); border-color: var(--accent); } }
    button:focus-visible, #pad:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    button:disabled { opacity: 0.45; cursor: default; background: #fff; border-color: var(--line); }
    .hint { color: var(--muted); font-size: 0.85rem; margin: 12px 0 0; }
    .verdict { display: flex; gap: 20px; align-items: center; }
    .seen { margin: 0; text-align: center; }
    #input { width: 140px; height: 140px; image-rendering: pixelated; background: #000; border-radius: 6px;
             border: 1px solid var(--line); }
    figcaption { font-size: 0.8rem; color: var(--muted); }
    .answer { flex: 1; text-align: center; }
    .digit { font-size: 6rem; font-weight: 700; line-height: 1; color: var(--accent); font-variant-numeric: tabular-nums; }
    /* Not sure: the digit drawn paler, so the eye goes to the two guesses below it. */
    body[data-sure="false"] .digit { opacity: 0.45; }
    .digit[data-digit=""] { color: var(--line); }
    .status { color: var(--muted); min-height: 1.5em; }
    body[data-state="error"] .status { color: #b42318; }
    .bars { display: grid; grid-template-columns: repeat(10, 1fr); gap: 6px; align-items: end; height: 150px;
            margin-top: 18px; }
    .bar { display: flex; flex-direction: column; align-items: center; justify-content: flex-end; height: 100%; }
    .bar .fill { width: 100%; min-height: 2px; background: var(--bar); border-radius: 4px 4px 0 0;
                 transition: height 0.15s ease-out; }
    .bar.top .fill { background: var(--accent); }
    .bar .pct { font-size: 0.7rem; color: var(--muted); font-variant-numeric: tabular-nums; }
    .bar .label { font-weight: 700; border-top: 2px solid var(--line); width: 100%; text-align: center; }
    .bar.top .label { color: var(--accent); }
    .facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 14px; margin: 0; }
    .facts dt { color: var(--muted); }
    .facts dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
    .report a { color: var(--accent); font-weight: 600; }
    footer { max-width: 1240px; margin: 0 auto; padding: 8px 32px 24px; color: var(--muted); font-size: 0.85rem; }
    code { font-size: 0.85em; background: #e8ebf2; padding: 1px 5px; border-radius: 4px; }
    /* A phone: the answer has to share the first screen with the canvas, or the user draws
       blind. Everything above it is made compact, the canvas fills the width but gives way
       to a short screen (svh: the height left by the browser's own bars), and the keyboard
       hint goes, as the buttons' tooltips say it too. */
    @media (max-width: 600px) {
      header { padding: 10px 16px 0; }
      h1 { font-size: 1.5rem; }
      header p { font-size: 0.9rem; line-height: 1.4; }
      main { grid-template-columns: minmax(0, 1fr); gap: 10px; padding: 10px 12px; }
      .card { padding: 12px 14px; }
      h2 { margin-bottom: 8px; }
      #pad { width: min(100%, 400px, max(200px, 100vh - 440px));
             width: min(100%, 400px, max(200px, 100svh - 440px)); }
      .buttons { margin-top: 10px; }
      .buttons button { padding: 6px 18px; }
      .hint { margin-top: 8px; }
      .keys { display: none; }
      .verdict { gap: 14px; }
      #input { width: 84px; height: 84px; }
      .digit { font-size: 4rem; }
      .bars { height: 110px; margin-top: 12px; }
      footer { padding: 8px 16px 20px; }
    }
    """
}
