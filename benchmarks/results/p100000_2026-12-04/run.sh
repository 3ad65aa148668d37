#!/bin/bash
# 100,000 products: generate (engine_scaling family, seed 100000), then solve with memory sampled every 15 s
cd /tmp/big
PY=/work/main/.venv/bin/python
export PYTHONPATH=/tmp/sB/meio
if [ ! -f p100000/demand.csv ]; then
  s=$(date +%s); $PY -c "
from pathlib import Path
from meio.data.generator import generate_instance
generate_instance(Path('p100000'), products=100000, nodes=10, zones=30, scenarios=50, seed=100000, tightness=0.8)"
  echo "generated in $(( $(date +%s) - s )) s" > gen.log
fi
( while true; do echo "$(date +%s) $(free -m | awk '/Mem:/{print $3}') $(ps -eo rss,args --sort=-rss | grep -E 'meio|python' | grep -v grep | head -4 | awk '{printf "%d ", $1/1024}')" >> mem.log; sleep 15; done ) &
sampler=$!
s=$(date +%s)
$PY -m meio solve p100000 --method decomposition --workers 2 --gap 1e-4 --master-solver barrier --time-limit 4200 --out out > solve.out 2> solve.err
echo "rc=$? wall=$(( $(date +%s) - s ))" > done.log
kill $sampler
