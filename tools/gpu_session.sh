#!/usr/bin/env bash
# One prepared call on a lent GPU: train the mean-scale hyperprior, export it, and check that files
# encoded on the GPU decode to the same symbols on a CPU and the other way round.
#
# Here, before the call (never commit .gpu/):
#   echo /.gpu/ >> .git/info/exclude; mkdir -p .gpu && cp ../shared/gpu/wheels/*.whl .gpu/
#   python ../shared/gpu/make_train_pack.py .gpu/train --budget-mb 20
#   (what travels must stay under 64 MiB: the repo's tracked files, 27 MB with the hyperprior's
#   training checkpoint, Kodak 15 MB, the pack; each further committed weights file costs its size)
#   cp -r ../shared/data/kodak .gpu/kodak
# The call (device tool): carry [".gpu"], command "bash tools/gpu_session.sh 7", timeout_s 590.
# MINUTES of training must leave about two minutes of the ten a call may run for the rest.
# It resumes from $RESUME (default checkpoints/mean-scale.safetensors, the latest training state
# committed, see checkpoints/README.md) when that exists, at lr 1e-4 (else from scratch at 5e-4); a
# second argument sets the peak lr. The step count goes on from the one the weights record. Weights
# of an uncommitted CPU run can travel too: export them into .gpu/ and set RESUME=.gpu/NAME.safetensors.
# Afterwards commit the new weights as checkpoints/mean-scale.safetensors whatever they measure (so
# that the next session goes on from them), and as weights/default.safetensors only to ship them
# (moving the shipped default aside by name first: CONTRIBUTING.md).
# Files back: report.txt (device; export's fit of the scale tables to the training pictures: a large
# saving there means training left the scales off; the weights' sha256; benchmarks/
# hyperprior_calibration.py on 6 Kodak pictures: a few per cent overhead; the cross-device checks), log.csv,
# the weights (float16 as committed) in 15 MB pieces, crossdev-gpu.tar. Back here:
#   cat FILES/mean-scale.safetensors.part-* > checkpoints/mean-scale.safetensors
#   tar -xf FILES/crossdev-gpu.tar -C /tmp && python benchmarks/cross_device.py check /tmp/crossdev-gpu \
#       --weights checkpoints/mean-scale.safetensors --device cpu
#   nicgui eval ../shared/data/kodak --weights checkpoints/mean-scale.safetensors ... (README, "Training")
set -euo pipefail
MINUTES=${1:?usage: tools/gpu_session.sh MINUTES [LR]}
RESUME=${RESUME:-checkpoints/mean-scale.safetensors}  # RESUME=none trains from scratch
[ "$RESUME" = checkpoints/mean-scale.safetensors ] && [ ! -f "$RESUME" ] && RESUME=weights/default.safetensors
OUT=${OUT:?run this through the device tool, which sets OUT}
DEVICE=${DEVICE:-cuda}  # DEVICE=cpu for a dry run here (with a venv's python3 first on PATH)
TMP=${TMP_DIR:-/tmp}
if ls .gpu/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --target "$TMP/site" .gpu/*.whl
fi
export PYTHONPATH=$TMP/site:$PWD PYTHONUNBUFFERED=1
R=$OUT/report.txt  # the device, the weights' hash, their calibration, the cross-device check
(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo "no GPU: $DEVICE") | tee "$R"

resume=()
LR=${2:-5e-4}  # from scratch; a run that continues trained weights starts lower
if [ -f "$RESUME" ]; then resume=(--resume "$RESUME"); LR=${2:-1e-4}; fi
# Batch 32: on the H100 a batch-16 step of this model took 24 ms end to end (../shared/gpu/README.md)
# while the same step on tiny tensors costs about 13 ms of Python and dispatch alone (measured here),
# so the GPU waited on the CPU for much of each step; a larger batch fills that wait with pixels.
BATCH=32
python3 -m nicgui train .gpu/train --out "$TMP/run" --model mean-scale --device "$DEVICE" --bf16 \
    --batch "$BATCH" --crop 256 --lr "$LR" --lr-final 1e-5 --minutes "$MINUTES" --save-every 2000 \
    --no-progress "${resume[@]}" 2>&1 | tail -n 20
cp "$TMP/run/log.csv" "$OUT/log.csv"
steps=$(python3 -c "import sys, torch; print(torch.load(sys.argv[1], weights_only=True)['step'])" "$TMP/run/last.pt")
W=$TMP/mean-scale.safetensors
python3 -m nicgui export "$TMP/run/last.pt" -o "$W" --float16 --calibrate .gpu/train --calibration-pictures 64 \
    --note "mean-scale, tools/gpu_session.sh on $(head -n 1 "$R"): ${resume[*]:-from scratch}, \
$steps steps in all, batch $BATCH x 256^2, bf16, lr $LR -> 1e-5 cosine, $MINUTES min" | tee -a "$R"
(cd "$(dirname "$W")" && split -b 15M "$(basename "$W")" "$OUT/mean-scale.safetensors.part-")
sha256sum "$W" | tee -a "$R"
# the reports below must not end the call: their failure is written down and the rest still runs
python3 benchmarks/hyperprior_calibration.py .gpu/kodak --weights "$W" --limit 6 2>&1 | tee -a "$R" || echo "calibration report failed" | tee -a "$R"

X=benchmarks/cross_device.py
python3 $X encode .gpu/kodak "$TMP/crossdev-gpu" --weights "$W" --device "$DEVICE" 2>&1 | tail -n 3 | tee -a "$R"
python3 $X encode .gpu/kodak "$TMP/crossdev-cpu" --weights "$W" --device cpu 2>&1 | tail -n 3 | tee -a "$R"
python3 $X check "$TMP/crossdev-cpu" --weights "$W" --device "$DEVICE" --also cpu 2>&1 | tee -a "$R" || echo "CHECK FAILED: CPU files on $DEVICE" | tee -a "$R"
python3 $X check "$TMP/crossdev-gpu" --weights "$W" --device cpu 2>&1 | tee -a "$R" || echo "CHECK FAILED: $DEVICE files on the CPU" | tee -a "$R"
tar -cf "$OUT/crossdev-gpu.tar" -C "$TMP" crossdev-gpu
