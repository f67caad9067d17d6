"""Reporting an evaluation: tables, the summary, RD plots, and published curves to place ours among.

Measuring is ``evaluate.py``; this only writes what was measured. The plots need matplotlib (the
``eval`` extra); without it they are skipped with a warning and everything else is written.
"""

from __future__ import annotations

import csv
import json
import logging
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nicgui.train.rd import OURS, Point, in_range

log = logging.getLogger(__name__)


def load_reference(folder: Path) -> dict[str, list[dict]]:
    """Published Kodak curves from kodak_published_rd.csv and kodak_published_rd_tfc.csv."""
    curves: dict[str, list[dict]] = {}
    a = Path(folder) / "kodak_published_rd.csv"
    if a.is_file():
        with a.open() as f:
            for r in csv.DictReader(f):
                curves.setdefault(r["codec"], []).append(
                    {"bpp": float(r["bpp"]), "psnr": float(r["psnr"]), "ms_ssim": float(r["ms_ssim"])}
                )
    b = Path(folder) / "kodak_published_rd_tfc.csv"
    if b.is_file():
        with b.open() as f:
            for r in csv.DictReader(f):
                if r["metric"] == "psnr_rgb":
                    curves.setdefault(r["codec"], []).append({"bpp": float(r["bpp"]), "psnr": float(r["value"])})
    return {k: sorted(v, key=lambda r: r["bpp"]) for k, v in curves.items()}


REFERENCE_SHOWN = (
    "theis-2017-iclr",
    "compressai-bmshj2018-factorized",
    "compressai-bmshj2018-hyperprior",
    "compressai-bpg",
    "compressai-vtm",
)


def curve_name(model: str) -> str:
    """What a nicgui model's curve is called in plots: ``nicgui`` and the model."""
    return f"{OURS} {model}"


def plot_curves(curves: dict, reference: dict, path: Path, metric: str = "psnr", model: str = "") -> list[str]:
    """Draw the RD curves (ours in black, named with ``model`` so that it is told from the models
    compared with it) and return the legend's entries; none when matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        log.warning("matplotlib is not installed (pip install 'nicgui[eval]'): %s not drawn", path.name)
        return []

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    for name, rows in reference.items():
        if name in REFERENCE_SHOWN and all(metric in r for r in rows):
            rows = in_range(rows, 0.0, 2.5)
            ax.plot(
                [r["bpp"] for r in rows], [r[metric] for r in rows], "--", lw=1, alpha=0.7, label=f"{name} (published)"
            )
    for name, rows in curves.items():
        rows = in_range(rows, 0.0, 2.5)
        style = dict(lw=2.5, color="black") if name == OURS else dict(lw=1.5)
        label = curve_name(model) if name == OURS and model else name
        ax.plot([r["bpp"] for r in rows], [r[metric] for r in rows], "o-", ms=3, label=label, **style)
    ax.set_xlabel("bits per pixel")
    ax.set_ylabel("PSNR (dB, RGB)" if metric == "psnr" else "MS-SSIM")
    ax.set_xlim(0, 2.5)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(f"Rate-distortion ({metric.upper()})")
    fig.tight_layout()
    fig.savefig(path)
    labels = [str(line.get_label()) for line in ax.get_lines()]
    plt.close(fig)
    return labels


def load_summary(folder: Path) -> dict[str, Any]:
    """summary.json of an earlier evaluation."""
    path = Path(folder) / "summary.json"
    if not path.is_file():
        raise FileNotFoundError(f"no summary.json in {folder} (run nicgui eval there first)")
    try:
        return dict(json.loads(path.read_text()))
    except ValueError as e:
        raise ValueError(f"{path} is not a readable evaluation summary: {e}") from e


def load_compared(folders: list[Path]) -> dict[str, list[dict]]:
    """The nicgui curves of earlier evaluations, named for their models (checked before measuring anything)."""
    others: dict[str, list[dict]] = {}
    for folder in folders:
        summary = load_summary(Path(folder))
        if not summary.get("curves", {}).get(OURS) or "model" not in summary:
            raise ValueError(f"{folder}/summary.json has no nicgui curve or model name: not a nicgui eval folder")
        name = curve_name(summary["model"])
        if name in others:
            name = f"{name} [{Path(folder).name}]"
        others[name] = summary["curves"][OURS]
    return others


def write_report(
    out: Path,
    points: list[Point],
    curves: dict[str, list[dict]],
    table: dict[str, dict],
    model: str,
    weights_info: dict[str, Any],
    reference: dict[str, list[dict]],
    others: dict[str, list[dict]],
    precision: str = "float32",
    compared: dict[str, dict] | None = None,
) -> str:
    """points.csv, summary.json, bd_rate.md, rd_table.md, rd_psnr.png, rd_msssim.png and, given
    ``compared`` (``rd.compare_models``), compare.md; the BD table, compared models last."""
    compared = compared or {}
    with (out / "points.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(asdict(points[0])))
        w.writeheader()
        for p in points:
            w.writerow(asdict(p))
    summary = {
        "model": model,
        "weights_info": weights_info,
        "precision": precision,  # the networks' arithmetic during the evaluation
        "images": len({p.image for p in points}),
        "curves": curves,
        "bd_rate_vs": table,
        "compared_with": compared,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    lines = ["| nicgui vs | BD-rate on PSNR | BD-rate on MS-SSIM (dB) |", "|---|---|---|"]
    for name, e in [*table.items(), *((n, c["bd_rate"]) for n, c in compared.items())]:
        lines.append(f"| {name} | {_percent(e['psnr'])} | {_percent(e['ms_ssim'])} |")
    text = "\n".join(lines)
    (out / "bd_rate.md").write_text(text + "\n")
    rows = ["| quality | bpp | PSNR (dB) | MS-SSIM | SSIM |", "|---|---|---|---|---|"]
    rows += [
        f"| {r['quality']} | {r['bpp']:.3f} | {r['psnr']:.2f} | {r['ms_ssim']:.4f} | {r['ssim']:.4f} |"
        for r in curves[OURS]
    ]
    (out / "rd_table.md").write_text("\n".join(rows) + "\n")
    write_comparison(out / "compare.md", model, compared)
    drawn = {**others, **curves}
    plot_curves(drawn, reference, out / "rd_psnr.png", "psnr", model)
    plot_curves(drawn, reference, out / "rd_msssim.png", "ms_ssim", model)
    return text


def write_comparison(path: Path, model: str, compared: dict[str, dict]) -> None:
    """compare.md: per compared model, where our curve leads or trails it at each quality (dB at equal bpp).

    Without models to compare, an earlier run's compare.md is removed rather than left beside new figures.
    """
    if not compared:
        path.unlink(missing_ok=True)
        return
    out = [f"# {curve_name(model)} against other nicgui models", ""]
    out.append("PSNR at equal bpp, the other curve interpolated on log bpp; blank where it does not reach.")
    for name, c in compared.items():
        e = c["bd_rate"]
        bd = f"BD-rate {_percent(e['psnr'])} on PSNR, {_percent(e['ms_ssim'])} on MS-SSIM."
        out += ["", f"## {name}", "", bd, ""]
        out += ["| quality | bpp | PSNR (dB) | theirs at that bpp | gap (dB) |", "|---|---|---|---|---|"]
        for g in c["gaps"]:
            theirs, gap = ("", "") if math.isnan(g["other_psnr"]) else (f"{g['other_psnr']:.2f}", f"{g['gap']:+.2f}")
            out.append(f"| {g['quality']} | {g['bpp']:.3f} | {g['psnr']:.2f} | {theirs} | {gap} |")
    path.write_text("\n".join(out) + "\n")


def _percent(bd: float) -> str:
    """A BD-rate for the tables; n/a where the curves overlap too little to measure one."""
    return "n/a" if math.isnan(bd) else f"{bd:+.1f} %"
