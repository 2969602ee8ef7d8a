#!/usr/bin/env python3
"""Turns the runs of Scripts/bench into its table, summary and optional JSON (standard library only).

Input: a JSON-lines index of runs ({"setting", "impl", "round", "kind", "file", "evaluations",
"max_rss_kb"}), each file being the per-epoch JSON lines of `digits train --metrics` or of
bench_reference.py, and "evaluations" (time-to-97% runs) the between-steps evaluations of
`digits train --eval-log` or bench_reference.py --eval-every ({"step", "training_seconds",
"test_accuracy", ...}; other lines are ignored).
"""

import argparse
import json
import math
import statistics
import sys

SETTINGS = {
    "b64t1": {"label": "batch 64, 1 thread", "batch": 64, "threads": 1,
              "digits_flags": "--batch 64 --micro-batch 64 --threads 1", "goals": {"torch": 2.0, "numpy": 1.3}},
    "b256t2": {"label": "batch 256, 2 threads", "batch": 256, "threads": 2,
               "digits_flags": "--batch 256 --micro-batch 128 --threads 2", "goals": {"torch": 1.2, "numpy": 1.2}},
}
NAMES = {"digits": "digits", "digits-env": "digits (env as-is)", "numpy": "numpy", "torch": "PyTorch"}
TTA_GOAL = 1.5          # seconds to 97% test accuracy, digits
RSS_GOAL_MB = 400       # peak RSS of digits train
TARGET = 0.97


def epochs_of(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            obj = json.loads(line)
            if obj.get("kind", "epoch") == "epoch" and "epoch" in obj:
                out.append(obj)
    return out


def throughput(epochs):
    """Training samples/s over epochs 2..N (epoch 1 is warm-up), or over the only epoch."""
    use = epochs[1:] if len(epochs) >= 2 else epochs
    seconds = sum(e["seconds"] for e in use)
    samples = sum(e["samples_per_second"] * e["seconds"] for e in use)
    return samples / seconds if seconds > 0 else float("nan")


def evaluations_of(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                obj = json.loads(line)
                if obj.get("kind", "evaluation") == "evaluation" and "step" in obj and "training_seconds" in obj:
                    out.append(obj)
    return out


def time_to_target(evaluations):
    """The first evaluation at or above TARGET: {seconds (training), steps, epochs (fractional),
    seconds_per_step}, or None."""
    for e in evaluations:
        if e["test_accuracy"] >= TARGET:
            return {"seconds": e["training_seconds"], "steps": e["step"], "samples": e["samples"],
                    "seconds_per_step": e["training_seconds"] / e["step"]}
    return None


def median(xs):
    xs = [x for x in xs if x is not None and not math.isnan(x)]
    return statistics.median(xs) if xs else None


def fmt_rate(x):
    return "—" if x is None else f"{x:,.0f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", required=True)
    p.add_argument("--rounds", type=int, required=True)
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--tta-epochs", type=int, required=True)
    p.add_argument("--eval-every", type=int, required=True)
    p.add_argument("--digits", default="")
    p.add_argument("--core-own", default="unknown")
    p.add_argument("--core-env", default="unknown")
    p.add_argument("--blas-lib", default="unknown")
    p.add_argument("--cores", type=int, default=0)
    p.add_argument("--numpy-info", default="")
    p.add_argument("--torch-how", default="")
    p.add_argument("--venv", default="")
    p.add_argument("--have-numpy", default="false")
    p.add_argument("--have-torch", default="false")
    p.add_argument("--skip-numpy", default="false")
    p.add_argument("--skip-torch", default="false")
    p.add_argument("--json")
    a = p.parse_args()

    runs = [json.loads(line) for line in open(a.runs) if line.strip()]
    speed, tta, rss, infos, loads = {}, {}, {}, {}, {}

    def load_of(run):
        values = [v for v in (run.get("load_start"), run.get("load_end")) if v is not None]
        return max(values) if values else None

    for run in runs:
        epochs = epochs_of(run["file"])
        if run["impl"] in ("numpy", "torch"):
            with open(run["file"]) as f:
                for line in f:
                    obj = json.loads(line)
                    if obj.get("kind") == "info":
                        infos.setdefault(run["impl"], obj)
                        break
        if run["kind"] == "speed":
            speed.setdefault((run["setting"], run["impl"]), []).append(throughput(epochs))
            loads.setdefault((run["setting"], run["impl"]), []).append(load_of(run))
        elif run["kind"] == "tta":
            hit = time_to_target(evaluations_of(run.get("evaluations") or run["file"]))
            tta.setdefault(run["impl"], []).append(dict(hit or {}, seed=run["round"], load_average=load_of(run)))
        if run["impl"] == "digits" and run.get("max_rss_kb") is not None:
            key = "default flags, 2 epochs" if run["kind"] == "rss" else (
                "time-to-97% runs (batch 64, 1 thread)" if run["kind"] == "tta" else SETTINGS[run["setting"]]["label"])
            rss[key] = max(rss.get(key, 0), run["max_rss_kb"])

    impls = ["digits", "digits-env"] + [i for i in ("numpy", "torch") if a.__dict__[f"have_{i}"] == "true"]
    figures = {"rounds": a.rounds, "epochs": a.epochs, "tta_epochs": a.tta_epochs, "eval_every": a.eval_every,
               "settings": {}, "time_to_97": {},
               "peak_rss_mb": {}, "digits_core_type": a.core_own, "digits_core_type_env_as_is": a.core_env, "digits_blas": a.blas_lib,
               "numpy_info": infos.get("numpy") or (json.loads(a.numpy_info) if a.numpy_info else None),
               "torch_info": infos.get("torch"), "torch_install": a.torch_how or None}

    out = []
    w = out.append
    w("")
    w(f"digits vs references, 784→128→10 ReLU softmax, SGD lr 0.1, float32 — median of {a.rounds} interleaved round(s), "
      f"{a.epochs} epoch(s) each" + (" (samples/s over epochs 2..N: epoch 1 is warm-up)" if a.epochs >= 2 else ""))
    w("")
    header = (f"{'setting':<22} {'implementation':<20} {'samples/s':>10} {'min–max':>19} {'load':>5} "
              f"{'digits/ref':>14} {'goal':>7}  result")
    w(header)
    w("-" * len(header))
    passes = []
    for skey, s in SETTINGS.items():
        figures["settings"][skey] = {"label": s["label"], "digits_flags": s["digits_flags"], "impls": {}}
        d = median(speed.get((skey, "digits"), []))
        for impl in impls:
            vals = speed.get((skey, impl), [])
            m = median(vals)
            spread = f"{min(vals):,.0f}–{max(vals):,.0f}" if len(vals) > 1 else ""
            ratio = goal = verdict = ""
            load = median(loads.get((skey, impl), []))
            entry = {"samples_per_second": m, "rounds": vals, "load_average": loads.get((skey, impl), [])}
            if impl in ("numpy", "torch") and m and d:
                r = d / m
                g = s["goals"][impl]
                ok = r >= g
                ratio, goal, verdict = f"{r:.2f}×", f"≥ {g}×", "PASS" if ok else "MISS"
                entry.update(ratio=r, goal=g, passed=ok)
                passes.append((f"{s['label']}: digits/{NAMES[impl]} {r:.2f}× (goal ≥ {g}×)", ok))
            elif impl == "digits-env" and m and d:
                ratio = f"({m / d:.2f}× digits)"
            w(f"{s['label'] if impl == 'digits' else '':<22} {NAMES[impl]:<20} {fmt_rate(m):>10} {spread:>19} "
              f"{'' if load is None else f'{load:.1f}':>5} {ratio:>14} {goal:>7}  {verdict}")
            figures["settings"][skey]["impls"][impl] = entry
        for impl in ("numpy", "torch"):
            if impl not in impls:
                w(f"{'':<22} {NAMES[impl]:<20} {'skipped':>10}")
    w("(load: median 1-min load average around the runs, on a machine of "
      f"{a.cores or '?'} cores; min–max: the spread over rounds)")
    all_loads = [load_of(r) for r in runs if load_of(r) is not None]
    busy = bool(a.cores) and bool(all_loads) and max(all_loads) > a.cores + 0.5
    figures["max_load_average"] = max(all_loads) if all_loads else None
    figures["cores"] = a.cores
    if busy:
        w(f"WARNING: the machine was busy (1-min load average up to {max(all_loads):.1f} on {a.cores} cores): other "
          "processes took CPU time, so these figures are unreliable; the 2-thread ones suffer most (the references' "
          "BLAS/OpenMP threads spin-wait for each other). Rerun with more --rounds when the machine is quiet.")
    w("")
    batch = SETTINGS["b64t1"]["batch"]
    k = a.eval_every
    w(f"time to {TARGET:.0%} test accuracy (batch {batch}, 1 thread, at most {a.tta_epochs} epochs): every implementation measures "
      f"test accuracy")
    w(f"after steps {k}, {2 * k}, {3 * k}, … (every {k * batch:,} samples), outside its timed region; seconds: its training only, "
      f"up to the first of these at ≥ {TARGET:.0%};")
    w(f"round r uses seed r for every implementation (the learning curve depends on it); medians over rounds (seeds 1–{a.rounds}):")
    tta_impls = [i for i in impls if i != "digits-env"]
    reached_all = {impl: [x for x in tta.get(impl, []) if "steps" in x] for impl in tta_impls}
    pooled = median([x["steps"] for xs in reached_all.values() for x in xs])
    theader = (f"  {'implementation':<14} {'seconds':>8} {'steps to 97%':>13} {'min–max':>13} {'epochs':>6} "
               f"{'ms/step':>8} {'samples/s':>10} {'load':>5} {'at ' + (f'{pooled:,.0f}' if pooled else '?') + ' steps':>15}")
    w(theader)
    for impl in tta_impls:
        results = tta.get(impl, [])
        reached = reached_all[impl]
        entry = {"rounds": results}
        figures["time_to_97"][impl] = entry
        if not results:
            w(f"  {NAMES[impl]:<14} no run")
            continue
        if len(reached) < len(results):
            entry["seconds"] = None
            w(f"  {NAMES[impl]:<14} not reached within {a.tta_epochs} epochs in {len(results) - len(reached)} of {len(results)} round(s)")
            continue
        t = median([x["seconds"] for x in reached])
        steps = median([x["steps"] for x in reached])
        sps = median([x["seconds_per_step"] for x in reached])
        rate = median([x["samples"] / x["seconds"] for x in reached])
        spm = [x["steps"] for x in reached]
        load = median([x["load_average"] for x in results])
        steps_per_epoch = math.ceil(60000 / batch)
        equal = pooled * sps if pooled else None
        entry.update(seconds=t, steps=steps, steps_min=min(spm), steps_max=max(spm), epochs=steps / steps_per_epoch,
                     seconds_per_step=sps, samples_per_second=rate, pooled_steps=pooled, seconds_at_pooled_steps=equal)
        line = (f"  {NAMES[impl]:<14} {t:>6.2f} s {steps:>13,.0f} {f'{min(spm):,}–{max(spm):,}' if len(spm) > 1 else '':>13} "
                f"{steps / steps_per_epoch:>6.2f} {1000 * sps:>8.3f} {rate:>10,.0f} {'' if load is None else f'{load:.1f}':>5} {'' if equal is None else f'{equal:.2f} s':>15}")
        if impl == "digits":
            ok = t < TTA_GOAL
            line += f"   goal < {TTA_GOAL} s: {'PASS' if ok else 'MISS'}"
            entry.update(goal=TTA_GOAL, passed=ok)
            passes.append((f"time to 97%: {t:.2f} s (goal < {TTA_GOAL} s)", ok))
        w(line)
    if pooled:
        w(f"  (ms/step, samples/s: over those runs' training up to 97%, epoch 1 included; load: as above; at {pooled:,.0f} steps:")
        w("   the median steps to 97% of all runs of all implementations (the same algorithm) × each one's ms/step: speed alone)")
    else:
        w("  (no run reached 97%)")
    d = figures["time_to_97"].get("digits", {})
    for impl in ("numpy", "torch"):
        r = figures["time_to_97"].get(impl, {})
        if d.get("seconds") and r.get("seconds"):
            ratio = r["seconds"] / d["seconds"]
            speed = r["seconds_per_step"] / d["seconds_per_step"]
            curve = r["steps"] / d["steps"]
            r.update(ratio=ratio, speed_ratio=speed, steps_ratio=curve)
            table = figures["settings"]["b64t1"]["impls"].get(impl, {}).get("ratio")
            w(f"  {NAMES[impl]} ÷ digits: time {ratio:.2f}× ≈ time per step {speed:.2f}× (speed"
              + (f"; {table:.2f}× in the throughput table" if table else "") + f") × steps {curve:.2f}× (learning curve)")
    w("")
    if rss:
        w(f"peak RSS of digits train (embedded MNIST, /usr/bin/time -v, max over runs), goal ≤ {RSS_GOAL_MB} MB:")
        for key, kb in rss.items():
            mb = kb / 1024
            ok = mb <= RSS_GOAL_MB
            figures["peak_rss_mb"][key] = {"mb": mb, "passed": ok}
            w(f"  {key:<40} {mb:7.1f} MB   {'PASS' if ok else 'MISS'}")
        worst = max(rss.values()) / 1024
        passes.append((f"peak RSS: {worst:.0f} MB (goal ≤ {RSS_GOAL_MB} MB)", worst <= RSS_GOAL_MB))
    else:
        w("peak RSS: not measured (/usr/bin/time missing)")
    w("")
    w("kernels and versions:")
    w(f"  digits: {a.blas_lib}")
    w(f"          core type {a.core_own}, with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset (as a user gets it)")
    w(f"          core type {a.core_env}, with the environment as-is (the 'env as-is' rows)")
    ninfo = figures["numpy_info"]
    if ninfo:
        blas = [b for b in ninfo.get("blas", []) if b.get("user_api") == "blas"] or ninfo.get("blas", [])
        desc = "; ".join(f"{b.get('internal_api')} {b.get('version')} kernel {b.get('architecture')}, "
                         f"{b.get('threading_layer')} threading" for b in blas) or "BLAS unknown"
        w(f"  numpy {ninfo.get('numpy', '')}: {desc} (OPENBLAS_CORETYPE unset for it)".replace("numpy :", "numpy:"))
    elif a.skip_numpy == "true":
        w("  numpy: skipped (--skip-numpy)")
    else:
        w("  numpy: not available (see the messages above)")
    tinfo = figures["torch_info"]
    if tinfo:
        w(f"  PyTorch {tinfo.get('torch')}: CPU capability {tinfo.get('cpu_capability')}, mkldnn {tinfo.get('mkldnn')}, "
          f"CUDA build {tinfo.get('cuda_built')}; installed by: {a.torch_how}")
    elif a.skip_torch == "true":
        w("  PyTorch: skipped (--skip-torch)")
    else:
        w("  PyTorch: not available (see the messages above)")
    w(f"  references' venv: {a.venv}")

    w("")
    w("---- summary (for the issue) ----")
    w(f"Scripts/bench, {a.rounds} interleaved round(s) × {a.epochs} epoch(s), medians; 784→128→10, SGD 0.1, equal threads.")
    for skey, s in SETTINGS.items():
        f = figures["settings"][skey]["impls"]
        parts = [f"digits {fmt_rate(f.get('digits', {}).get('samples_per_second'))}"]
        for impl in ("numpy", "torch"):
            if impl in f and f[impl].get("samples_per_second"):
                r = f[impl].get("ratio")
                parts.append(f"{NAMES[impl]} {fmt_rate(f[impl]['samples_per_second'])}"
                             + (f" ({r:.2f}×, goal ≥ {f[impl]['goal']}× {'PASS' if f[impl]['passed'] else 'MISS'})" if r else ""))
            else:
                parts.append(f"{NAMES[impl]} skipped")
        w(f"- {s['label']} (samples/s): " + ", ".join(parts))
    envs = [(s["label"], figures["settings"][k]["impls"].get("digits-env", {}).get("samples_per_second"),
             figures["settings"][k]["impls"].get("digits", {}).get("samples_per_second")) for k, s in SETTINGS.items()]
    if all(e and d for _, e, d in envs):
        w(f"- digits with the environment as-is (core type {a.core_env.split(' ')[0]}): "
          + ", ".join(f"{label} {fmt_rate(e)} ({e / d:.2f}× of its own choice)" for label, e, d in envs))
    t = figures["time_to_97"]
    tparts, eparts, pooled_steps = [], [], None
    for impl in ("digits", "numpy", "torch"):
        if impl in t:
            sec = t[impl].get("seconds")
            tparts.append(f"{NAMES[impl]} " + (f"{sec:.2f} s ({t[impl]['steps']:,.0f} steps)" if sec is not None else "not reached"))
            if t[impl].get("seconds_at_pooled_steps") is not None:
                pooled_steps = t[impl]["pooled_steps"]
                eparts.append(f"{NAMES[impl]} {t[impl]['seconds_at_pooled_steps']:.2f} s")
    goal_note = ""
    if "digits" in t and "passed" in t["digits"]:
        goal_note = f"; goal < {TTA_GOAL} s {'PASS' if t['digits']['passed'] else 'MISS'}"
    w(f"- time to 97% (training s, test accuracy every {a.eval_every} steps on all sides, seeds 1–{a.rounds}): "
      + ", ".join(tparts) + goal_note)
    if eparts:
        w(f"  - at equal steps ({pooled_steps:,.0f}, the median over all; speed alone): " + ", ".join(eparts))
    if rss:
        w(f"- peak RSS of digits train: {max(rss.values()) / 1024:.0f} MB (goal ≤ {RSS_GOAL_MB} MB "
          f"{'PASS' if max(rss.values()) / 1024 <= RSS_GOAL_MB else 'MISS'})")
    kern = f"- kernels: digits {a.core_own.split(' ')[0]} (env as-is: {a.core_env.split(' ')[0]})"
    if ninfo:
        blas = [b for b in ninfo.get("blas", []) if b.get("user_api") == "blas"]
        if blas:
            kern += f"; numpy {blas[0].get('internal_api')} {blas[0].get('version')} {blas[0].get('architecture')}"
    if tinfo:
        kern += f"; PyTorch {tinfo.get('torch')} ({tinfo.get('cpu_capability')})"
    w(kern)
    if busy:
        w(f"- caution: machine busy during the run (load average up to {max(all_loads):.1f} on {a.cores} cores)")
    npass = sum(ok for _, ok in passes)
    w(f"- goals met: {npass} of {len(passes)}" + ("".join(f"\n  - MISS {d}" for d, ok in passes if not ok)))
    w("---------------------------------")
    print("\n".join(out))

    figures["goals"] = [{"goal": d, "passed": ok} for d, ok in passes]
    if a.json:
        with open(a.json, "w") as f:
            json.dump(figures, f, indent=2)
            f.write("\n")
        print(f"figures written to {a.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
