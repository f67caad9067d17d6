"""Effort levels on Kodak: BD-rate against JPEG, WebP, AVIF and JPEG XL, and seconds per picture.

Every point is a real file: ``Codec.compress`` with the level's search writes the .nic bytes, a
fresh decode reads them back, PSNR and MS-SSIM are measured on RGB. The classical codecs go
through Pillow on the same pictures. Points are appended to ``OUT/points.csv`` as they are made
and a rerun skips those already there, so a long run can stop and go on in a later session;
``OUT/summary.md`` is written from all points at the end of every run.

    python benchmarks/effort.py KODAK_DIR --out benchmarks/effort --images 8 --efforts 0,3,6,9

The slow levels take minutes per picture on 2 CPU cores: the default subset is the first 8 Kodak
pictures (kodim01..08) at 5 qualities. Run it with ``nice`` in the background; the seconds
reported are wall time of the encode (analysis, search and entropy coding) under the load of the
machine at the time, so state that load with them.
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
import os
import time
from dataclasses import asdict, fields
from pathlib import Path

from nicgui.codec import classic
from nicgui.codec.api import load_model
from nicgui.codec.effort import EFFORT_ITERATIONS, SearchOptions, Tune
from nicgui.train.data import list_images, load_rgb
from nicgui.train.evaluate import CLASSIC_QUALITIES, OURS, Point, average_curves, bd_table, point

log = logging.getLogger("effort")
QUALITIES = (10, 30, 50, 70, 90)


def _load(path: Path) -> list[Point]:
    if not path.is_file():
        return []
    with path.open() as f:
        return [
            Point(r["image"], r["codec"], int(r["quality"]), int(r["bytes"]),
                  *(float(r[k]) for k in ("bpp", "psnr", "ms_ssim", "ssim", "encode_s", "decode_s")))
            for r in csv.DictReader(f)
        ]  # fmt: skip


def _append(path: Path, p: Point) -> None:
    new = not path.is_file()
    with path.open("a", newline="") as f:
        w = csv.DictWriter(f, [fl.name for fl in fields(Point)])
        if new:
            w.writeheader()
        w.writerow(asdict(p))


def _label(effort: int, tune: Tune) -> str:
    return f"{OURS} effort {effort}" + ("" if tune is Tune.PSNR else f" {tune.value}")


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    points_path = out / "points.csv"
    points = _load(points_path)
    done = {(p.image, p.codec, p.quality) for p in points}
    codec = load_model(args.weights, "cpu", args.precision)
    tune = Tune(args.tune)
    efforts = [int(e) for e in args.efforts.split(",")]
    qualities = [int(q) for q in args.qualities.split(",")]
    files = list_images(Path(args.data))[: args.images]
    for i, path in enumerate(files):
        rgb = load_rgb(path)
        analysis = None
        for effort in efforts:
            name = _label(effort, tune)
            for q in qualities:
                if (path.name, name, q) in done:
                    continue
                t0 = time.perf_counter()
                if analysis is None:
                    analysis = codec.analyse(rgb)
                    analysis_s = time.perf_counter() - t0
                    t0 = time.perf_counter()
                options = SearchOptions(effort, tune) if effort else None
                data = codec.compress(analysis, q, options=options).data
                te = analysis_s + time.perf_counter() - t0
                t1 = time.perf_counter()
                rec = codec.decode(data).rgb
                p = point(path.name, name, q, len(data), rgb, rec, te, time.perf_counter() - t1)
                _append(points_path, p)
                points.append(p)
                log.info("%s effort %d q%d: %.4f bpp %.2f dB, %.1f s", path.name, effort, q, p.bpp, p.psnr, te)
        for c in args.codecs.split(","):
            if not c or not classic.available(c):
                continue
            for q in CLASSIC_QUALITIES[c]:
                if (path.name, c, q) in done:
                    continue
                t1 = time.perf_counter()
                r = classic.compress(rgb, c, q)
                p = point(path.name, c, q, r.size, rgb, r.rgb, time.perf_counter() - t1, 0.0)
                _append(points_path, p)
                points.append(p)
        log.info("%d/%d %s", i + 1, len(files), path.name)
    (out / "summary.md").write_text(summary(points, [p.name for p in files], efforts, tune, args))


def summary(points: list[Point], images: list[str], efforts: list[int], tune: Tune, args: argparse.Namespace) -> str:
    """BD-rates per effort level against every other curve, on the pictures every level finished."""
    by_curve: dict[str, set[str]] = {}
    for p in points:
        by_curve.setdefault(p.codec, set()).add(p.image)
    names = [_label(e, tune) for e in efforts]
    complete = [img for img in images if all(img in by_curve.get(n, set()) for n in names)]
    chosen = [p for p in points if p.image in complete]
    curves = average_curves(chosen)
    lines = [
        "# Effort levels on Kodak",
        "",
        f"Pictures: {', '.join(complete) or 'none finished yet'} ({len(complete)}); nicgui qualities "
        f"{args.qualities}; tuned for {tune.value}; real files, PSNR and MS-SSIM on RGB. "
        f"Written by `benchmarks/effort.py` on {os.cpu_count()} CPU cores; seconds are wall time of one "
        "encode (analysis + search + coding) under the load of the machine at the time.",
        "",
        "| effort | iterations | BD vs JPEG | vs WebP | vs AVIF | vs JPEG XL | vs effort 0 | MS-SSIM BD vs JPEG "
        "| s per picture (mean) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    base = names[0] if efforts and efforts[0] == 0 else None
    for e, name in zip(efforts, names, strict=True):
        if name not in curves:
            continue
        table = bd_table(
            {**{k: v for k, v in curves.items() if k != OURS and not k.startswith(OURS)}, OURS: curves[name]}
        )
        vs0 = math.nan
        if base is not None and name != base:
            vs0 = bd_table({"base": curves[base], OURS: curves[name]})["base"]["psnr"]
        secs = sum(r["encode_s"] for r in curves[name]) / len(curves[name])

        def pct(codec: str, metric: str = "psnr", table: dict = table) -> str:
            v = table.get(codec, {}).get(metric, math.nan)
            return "n/a" if math.isnan(v) else f"{v:+.1f} %"

        zero = "n/a" if math.isnan(vs0) else f"{vs0:+.1f} %"
        lines.append(
            f"| {e} | {EFFORT_ITERATIONS[e]} | {pct('jpeg')} | {pct('webp')} | {pct('avif')} | {pct('jxl')} "
            f"| {zero if name != base else '0'} | {pct('jpeg', 'ms_ssim')} | {secs:.1f} |"
        )
    lines += ["", "Mean per quality (bpp, PSNR dB, encode s):", ""]
    for name in names:
        rows = curves.get(name, [])
        cells = ", ".join(f"q{r['quality']:.0f}: {r['bpp']:.4f} / {r['psnr']:.2f} / {r['encode_s']:.1f}" for r in rows)
        lines.append(f"- {name}: {cells}")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", help="folder of test pictures (Kodak)")
    ap.add_argument("--out", default="benchmarks/effort")
    ap.add_argument("--images", type=int, default=8, help="the first N pictures (default 8)")
    ap.add_argument("--efforts", default="0,3,6,9")
    ap.add_argument("--qualities", default=",".join(map(str, QUALITIES)))
    ap.add_argument("--tune", choices=[t.value for t in Tune], default="psnr")
    ap.add_argument("--codecs", default="jpeg,webp,avif,jxl")
    ap.add_argument("--weights", help="weights file (default: the shipped model)")
    ap.add_argument("--precision", default="auto", help="the networks' arithmetic (default auto: as users get)")
    ap.add_argument("--summary-only", action="store_true", help="write summary.md from the points already there")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.summary_only:
        out = Path(args.out)
        points = _load(out / "points.csv")
        efforts = [int(e) for e in args.efforts.split(",")]
        images = sorted({p.image for p in points})
        (out / "summary.md").write_text(summary(points, images, efforts, Tune(args.tune), args))
        return
    run(args)


if __name__ == "__main__":
    main()
