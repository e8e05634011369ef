#!/usr/bin/env bash
# CI check of the example server as the README runs it: compiles examples/
# against the built package, starts dist-examples/server/main.js on a free
# loopback port, and drives it with fetch: the dashboard page and its chart
# libraries, the demo corpus, a 2-epoch job to its end, an NDJSON prediction,
# job deletion. Also checks that a bad PORT is one clear line, not a stack.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
npx tsc -p examples

err=$(PORT=abc node dist-examples/server/main.js 2>&1 >/dev/null) && { echo "expected PORT=abc to fail"; exit 1; }
echo "PORT=abc -> $err"
[[ "$err" == "hogwild example server: Expected PORT to be an integer in [0, 65535] but received 'abc'" ]] || { echo "unexpected start-up error output"; exit 1; }

data=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
PORT=0 DATA_DIR="$data" node dist-examples/server/main.js >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q 'dashboard on' "$data/server.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$data/server.log")
echo "server at $base"

BASE="$base" node --input-type=module -e '
const base = process.env.BASE;
const ok = async (path, init) => { const r = await fetch(base + path, init); if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`); return r; };
const page = await (await ok("/")).text();
if (!page.includes("<label for=\"train-file\">")) throw new Error("the dashboard page lacks its form");
for (const lib of ["vega", "vega-lite"]) await ok(`/vendor/${lib}.min.js`);
const train = await (await ok("/demo/train.txt")).text();
const { id } = await (await ok("/jobs?epoch=2&thread=1", { method: "POST", body: train })).json();
let status;
for (let i = 0; i < 600; i++) { status = await (await ok(`/jobs/${id}`)).json(); if (["done", "cancelled", "failed"].includes(status.state)) break; await new Promise((r) => setTimeout(r, 100)); }
if (status.state !== "done") throw new Error(`job ended ${JSON.stringify(status)}`);
const lines = (await (await ok(`/jobs/${id}/predict?k=2`, { method: "POST", body: "w1 w2 w3\nfoo bar\n" })).text()).trimEnd().split("\n").map((l) => JSON.parse(l));
if (lines.length !== 3 || lines[0].checkpointEpoch !== 2 || lines[2].predictions.length !== 2) throw new Error(`unexpected predictions ${JSON.stringify(lines)}`);
const del = await (await ok(`/jobs/${id}`, { method: "DELETE" })).json();
if (!del.deleted) throw new Error("not deleted");
console.log(`example server smoke: page, charts, demo corpus, job ${id} trained (loss ${status.loss.toFixed(3)}), predictions, deletion: ok`);
'
