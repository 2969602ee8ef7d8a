# PyTorch (CPU) in a virtual environment, for the benchmarks and checks that compare digits
# with it: Scripts/bench, bench-distributed, bench-scale (sourced, not run; one copy of the
# install logic). The caller defines say MESSAGE... (to standard error).
#
# Sets venv (BENCH_VENV, default .build/bench-venv of this checkout) and py; defines pipq,
# setup_venv (creates the venv when missing), torch_works, and install_torch (installs
# torch into the venv once, reused afterwards; sets torch_how to how it was installed).

venv="${BENCH_VENV:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.build/bench-venv}"
py="$venv/bin/python"
torch_how=""
pipq() { "$py" -m pip --disable-pip-version-check "$@"; }

setup_venv() {
    if [[ ! -x $py ]]; then
        say "creating the virtual environment $venv"
        mkdir -p "$(dirname "$venv")"
        python3 -m venv "$venv" >&2 || { say "python3 -m venv failed (apt-get install python3-venv?): skipping what needs it"; return 1; }
    fi
}

torch_works() { "$py" -c 'import torch; torch.ones(2, 2) @ torch.ones(2, 2)' >/dev/null 2>&1; }

# PyTorch from PyPI on Linux depends on several GB of CUDA wheels (nvidia-*, triton). In order:
# the CPU-only build from download.pytorch.org; a CPU-only build (+cpu) that pip can see
# otherwise (e.g. a local wheel directory in pip's find-links); PyPI's torch if it needs no CUDA
# wheels; PyPI's torch without its dependencies. The first that imports is kept.
install_torch() {
    if torch_works; then torch_how=$(cat "$venv/.bench-torch-source" 2>/dev/null || echo "already installed"); return 0; fi
    if [[ -f $venv/.bench-torch-unavailable ]]; then
        say "PyTorch: $(cat "$venv/.bench-torch-unavailable") (delete $venv/.bench-torch-unavailable to try again): skipping it"
        return 1
    fi
    say "installing PyTorch (CPU) into $venv; this can take a few minutes"
    "$py" -c 'import numpy' 2>/dev/null || pipq install -q numpy >&2 || true
    local cpu_index=https://download.pytorch.org/whl/cpu
    if pipq install -q --timeout 20 --retries 1 torch --index-url "$cpu_index" >&2 2>/dev/null && torch_works; then
        torch_how="pip install torch --index-url $cpu_index"
    else
        local cpu_version
        cpu_version=$(pipq index versions torch 2>/dev/null | sed -n 's/^Available versions: //p' | tr ',' '\n' | tr -d ' ' | grep '+cpu$' | head -1 || true)
        if [[ -n $cpu_version ]] && pipq install -q "torch==$cpu_version" >&2 && torch_works; then
            torch_how="pip install torch==$cpu_version (CPU-only build found by pip; the CPU index was not reachable)"
        else
            local cuda
            cuda=$(pipq install --dry-run --quiet --report - torch 2>/dev/null | "$py" -c '
import json, sys
names = [i["metadata"]["name"].lower() for i in json.load(sys.stdin)["install"]]
print(sum(n.startswith(("nvidia-", "cuda-", "triton")) for n in names))' || echo unknown)
            if [[ $cuda == 0 ]] && pipq install -q torch >&2 && torch_works; then
                torch_how="pip install torch (PyPI)"
            else
                say "PyPI's torch would bring $cuda CUDA/triton packages (several GB): trying it without dependencies"
                if pipq install -q --no-deps torch >&2 && pipq install -q filelock typing-extensions sympy networkx jinja2 fsspec >&2 && torch_works; then
                    torch_how="pip install --no-deps torch + its pure-Python dependencies"
                else
                    pipq uninstall -q -y torch >/dev/null 2>&1 || true
                    echo "no CPU-only build reachable and PyPI's torch does not import without its CUDA wheels" >"$venv/.bench-torch-unavailable"
                    say "PyTorch: $(cat "$venv/.bench-torch-unavailable"): skipping it"
                    return 1
                fi
            fi
        fi
    fi
    echo "$torch_how" >"$venv/.bench-torch-source"
}
