#!/usr/bin/env bash
# Packs hogwild with a prebuilt binary and installs the tarball into an empty
# project on a PATH with no compiler (cc, c++, g++, gcc, make, python3 hidden),
# then runs a plan. Also checks that without prebuild and compiler, loading
# fails with ERR_HOGWILD_NATIVE_LOAD and a helpful message.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
rm -rf prebuilds
npm run package:prebuilds >"$WORK/prebuildify.log" 2>&1 || { tail -30 "$WORK/prebuildify.log"; exit 1; }
ls prebuilds/*/
TARBALL=$(npm pack --silent --pack-destination "$WORK" | tail -1)
tar -tzf "$WORK/$TARBALL" > "$WORK/contents.txt"  # (not piped into grep -q: SIGPIPE under pipefail)
grep -q 'package/prebuilds/linux-x64/' "$WORK/contents.txt" || { echo "tarball has no prebuild"; exit 1; }

# A PATH with everything in /usr/bin and /bin except the compilers and build tools.
NOCC="$WORK/nocc-bin"
mkdir -p "$NOCC"
for dir in /usr/local/bin /usr/bin /bin; do
  for f in "$dir"/*; do
    name=$(basename "$f")
    case "$name" in
      cc|c++|gcc|g++|gcc-*|g++-*|clang*|make|gmake|python3|python3.*|python|cmake|ninja|x86_64-linux-gnu-*) continue ;;
    esac
    [ -e "$NOCC/$name" ] || ln -s "$f" "$NOCC/$name"
  done
done
! PATH="$NOCC" command -v g++ >/dev/null || { echo "compiler still visible"; exit 1; }

APP="$WORK/app"
mkdir -p "$APP" && cd "$APP"
echo '{ "name": "app", "version": "1.0.0", "type": "module", "private": true }' > package.json
PATH="$NOCC" npm install --no-audit --no-fund "$WORK/$TARBALL" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; exit 1; }
cat > run.mjs <<'JS'
import * as hw from 'hogwild';
const info = hw.simdInfo ? hw.simdInfo() : null;
const ws = hw.Workspace ? new hw.Workspace() : null;
if (!ws) throw new Error('hogwild.Workspace is not exported');
const plan = hw.compilePlan({ name: 'p', nets: [{ name: 'n', ops: [
  { type: 'ConstantFill', inputs: [], outputs: ['x'], args: { shape: [2, 2], value: 3 } },
  { type: 'Add', inputs: ['x', 'x'], outputs: ['y'] } ] }], steps: [{ name: 's', nets: ['n'] }] });
await ws.run(plan);
const y = ws.fetch('y');
if (Array.from(y.data).join(',') !== '6,6,6,6') throw new Error('wrong result ' + Array.from(y.data));
console.log('plan ran without a compiler:', Array.from(y.data), info);
JS
PATH="$NOCC" node run.mjs

# No prebuild and no compiler: a clear load error.
rm -rf node_modules/hogwild/prebuilds node_modules/hogwild/build
out=$(PATH="$NOCC" node -e "import('hogwild').then(m => new m.Workspace()).catch(e => { console.log(e.code); console.log(e.message); })")
echo "$out"
echo "$out" | grep -q ERR_HOGWILD_NATIVE_LOAD
echo "$out" | grep -q 'Tried:'
