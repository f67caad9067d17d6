"""Start-up of the command line: wall time of whole commands, and where an encode's time goes.

    python benchmarks/startup.py KODAK_IMAGE [--repeat 3]

Prints, for ``--help``, ``--version``, ``info`` of a .nic, ``encode`` and ``decode`` of the picture,
the best wall time of ``--repeat`` fresh processes; then, in one fresh process, the split of an
encode: importing torch, importing the codec, loading the default model, the first encode (which
warms the kernels), and a second encode (the work itself). Each figure depends on the machine's
load: run it on a quiet machine and say so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPLIT = """
import json, sys, time
t0 = time.perf_counter()
import torch
t1 = time.perf_counter()
from nicgui.codec.api import load_model
t2 = time.perf_counter()
codec = load_model(None, "cpu")
t3 = time.perf_counter()
codec.encode(sys.argv[1], 75)
t4 = time.perf_counter()
codec.encode(sys.argv[1], 75)
t5 = time.perf_counter()
print(json.dumps({"import torch": t1 - t0, "import the codec": t2 - t1, "load the model": t3 - t2,
                  "first encode": t4 - t3, "second encode (the work)": t5 - t4}))
"""


def _wall(args: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nicgui", *args], check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nic, png = Path(tmp) / "x.nic", Path(tmp) / "x.png"
        rows = {
            "nicgui --help": ["--help"],
            "nicgui --version": ["--version"],
            "nicgui encode": ["encode", a.image, "-o", str(nic), "-f"],
            "nicgui info (.nic)": ["info", str(nic)],
            "nicgui decode": ["decode", str(nic), "-o", str(png), "-f"],
        }
        for name, args in rows.items():
            print(f"{name:24s} {_wall(args, a.repeat):6.2f} s wall (best of {a.repeat})")
    out = subprocess.run([sys.executable, "-c", SPLIT, a.image], check=True, capture_output=True, text=True)
    for name, seconds in json.loads(out.stdout).items():
        print(f"  {name:26s} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
