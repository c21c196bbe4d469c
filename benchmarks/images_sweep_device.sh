#!/usr/bin/env bash
# One call on a lent GPU machine (issue 12, sixth to tenth passes): `images_sweep.py --plan $PLAN`
# (round6 unless set) in parallel worker processes, rows appended to $OUT/images_sweep_$PLAN.jsonl as each
# fit (or GAN snapshot) finishes.
#
# Why MPS: 15 processes that each launch tiny kernels share one GPU by time slices, so in the fourth and
# fifth passes 15 workers ran at about the speed of one (1,800-update fits took 75-215 s). Under the
# Multi-Process Service their kernels run side by side. When the daemon is missing or a CUDA client
# fails under it, the sweep runs without it on 6 GPU workers (so fits still finish in the time) plus 8
# CPU workers for the 28 px VAE fits (about 0.18 s per update on one core).
#
# Usage on the device (repo root; .whl holds pydantic and its needs, which the machine's image lacks):
#   LIMIT=495 bash benchmarks/images_sweep_device.sh                 # the sixth pass
#   LIMIT=470 PLAN=round7 bash benchmarks/images_sweep_device.sh     # the seventh (GAN snapshots at k/5)
#   LIMIT=430 PLAN=round8 bash benchmarks/images_sweep_device.sh     # the eighth (VAE only)
#   LIMIT=540 PLAN=round9 bash benchmarks/images_sweep_device.sh     # the ninth (GAN length; snapshots per job)
#   LIMIT=270 PLAN=round10 bash benchmarks/images_sweep_device.sh    # the tenth (VAE <= 16 px; temperatures
#                                                                     # 1.0 1.2 1.5 unless TEMPS is set)
# A local check of the script on the CPU (seconds; no wheels, no GPU; round9_smoke, round10_smoke likewise):
#   NO_WHL=1 DEVICE=cpu WORKERS="--workers 1" EXTRA=--smoke PLAN=round7_smoke OUT=/tmp/sweep \
#     PATH=.venv/bin:$PATH bash benchmarks/images_sweep_device.sh
set -u
LIMIT=${LIMIT:-495}
OUT=${OUT:-data/bench}
PLAN=${PLAN:-round6}
T_DEFAULT=1.0  # VAE prior temperatures scored from each fit (TEMPS overrides)
case "$PLAN" in round6) SNAPSHOTS=${SNAPSHOTS:-3}; ROUTE="cvae:shapes28" ;;
                round10*) SNAPSHOTS=${SNAPSHOTS:-5}; ROUTE="cvae:digits"; T_DEFAULT="1.0 1.2 1.5" ;;
                *) SNAPSHOTS=${SNAPSHOTS:-5}; ROUTE="cvae:shapes28 cvae:strokes28" ;; esac
TEMPS=${TEMPS:-$T_DEFAULT}
ROWS="$OUT/images_sweep_$PLAN.jsonl"
mkdir -p "$OUT"
if [ -z "${NO_WHL:-}" ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl || exit 1
fi
export PYTHONPATH=/tmp/site:$PWD/src PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
nproc
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
mkdir -p "$CUDA_MPS_PIPE_DIRECTORY" "$CUDA_MPS_LOG_DIRECTORY"
MPS=0
if command -v nvidia-cuda-mps-control >/dev/null && nvidia-cuda-mps-control -d; then
    if timeout 60 python3 -c "import torch; print('cuda under MPS:', torch.ones(4, device='cuda').sum().item())"; then
        MPS=1
    else
        echo quit | timeout 10 nvidia-cuda-mps-control
    fi
fi
[ "$MPS" = 1 ] || unset CUDA_MPS_PIPE_DIRECTORY CUDA_MPS_LOG_DIRECTORY
echo "MPS=$MPS"
if [ -z "${WORKERS:-}" ]; then
    if [ "$MPS" = 1 ]; then WORKERS="--workers 15"; else WORKERS="--workers 6 --cpu-workers 8 --cpu-route $ROUTE"; fi
fi
(nvidia-smi dmon -s u -d 15 > "$OUT/dmon.txt" 2>&1 &)
SECONDS=0
# shellcheck disable=SC2086  # WORKERS, TEMPS and EXTRA are word lists
timeout -s KILL "$LIMIT" python3 benchmarks/images_sweep.py --plan "$PLAN" $WORKERS --device "${DEVICE:-cuda}" \
    --temperatures $TEMPS --snapshots "$SNAPSHOTS" ${EXTRA:-} --out "$ROWS" 2>"$OUT/sweep_stderr.txt"
echo "sweep rc=$? after ${SECONDS}s, MPS=$MPS"
python3 benchmarks/images_sweep_summary.py "$ROWS" | tee "$OUT/summary.md" | head -40
[ "$MPS" = 1 ] && echo quit | timeout 10 nvidia-cuda-mps-control
exit 0
