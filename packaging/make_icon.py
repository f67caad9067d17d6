"""Draw nicgui's icon: a landscape split by a compare slider, sharp on the left, coded blocks on the right.

Writes ``nicgui.png`` (256 px), ``nicgui.svg``, ``nicgui.ico`` (Windows) and ``nicgui.icns`` (macOS)
into a folder (default: the checkout's ``resources/``). The PNG and the SVG come from one
geometric description on a 256-unit canvas, so they match; the right half's blocks take the mean
colour of the smooth scene under them, as a block codec would. Run it again only to change the icon.

    python packaging/make_icon.py [OUT_DIR]
"""

from __future__ import annotations

import argparse
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

log = logging.getLogger("make_icon")

CANVAS = 256  # units of the geometric description
SUPERSAMPLE = 4  # the master raster is CANVAS * SUPERSAMPLE pixels wide
EDGE, CORNER = 16, 44  # rounded square inset and corner radius
BLOCK = 16  # coded block edge, in units
SPLIT = 128  # the compare slider's x

SKY_TOP, SKY_BOTTOM = (24, 48, 110), (64, 150, 210)
SUN = ((84, 84), 28, (255, 206, 84))
BACK_HILLS = ([(16, 196), (70, 118), (110, 158), (160, 94), (240, 176), (240, 240), (16, 240)], (150, 190, 225))
FRONT_HILLS = ([(16, 240), (16, 200), (90, 164), (150, 204), (200, 176), (240, 192), (240, 240)], (38, 150, 105))
SLIDER = (255, 255, 255)
ARC_STEPS = 24  # segments per rounded corner when shapes are clipped for the SVG

Point = tuple[float, float]


@dataclass(frozen=True)
class Block:
    x: int
    y: int
    rgb: tuple[int, int, int]


def _scaled(points: list[tuple[int, int]], k: int) -> list[tuple[int, int]]:
    return [(x * k, y * k) for x, y in points]


def frame_polygon() -> list[Point]:
    """The rounded square as a convex polygon, clockwise on screen (y grows downwards)."""
    lo, hi = EDGE + CORNER, CANVAS - EDGE - CORNER
    centres = [(hi, lo, -90.0), (hi, hi, 0.0), (lo, hi, 90.0), (lo, lo, 180.0)]  # corner centre, start angle
    points: list[Point] = []
    for cx, cy, start in centres:
        for i in range(ARC_STEPS + 1):
            a = math.radians(start + 90.0 * i / ARC_STEPS)
            points.append((cx + CORNER * math.cos(a), cy + CORNER * math.sin(a)))
    return points


def clip_polygon(subject: list[Point], frame: list[Point]) -> list[Point]:
    """Sutherland-Hodgman: the part of ``subject`` inside the convex, clockwise ``frame``.

    Qt's SVG renderer ignores clipPath, so the SVG carries shapes already cut to the frame.
    """

    def inside(p: Point, a: Point, b: Point) -> bool:
        return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0

    def crossing(p: Point, q: Point, a: Point, b: Point) -> Point:
        dx, dy = q[0] - p[0], q[1] - p[1]
        ex, ey = b[0] - a[0], b[1] - a[1]
        t = (ex * (a[1] - p[1]) - ey * (a[0] - p[0])) / (ex * dy - ey * dx)
        return p[0] + t * dx, p[1] + t * dy

    out = list(subject)
    for a, b in zip(frame, frame[1:] + frame[:1], strict=True):
        points, out = out, []
        for p, q in zip(points[-1:] + points[:-1], points, strict=True):
            if inside(q, a, b):
                if not inside(p, a, b):
                    out.append(crossing(p, q, a, b))
                out.append(q)
            elif inside(p, a, b):
                out.append(crossing(p, q, a, b))
        if not out:
            break
    return out


def _rounded_mask(size: int, k: int) -> Image.Image:
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (EDGE * k, EDGE * k, (CANVAS - EDGE) * k - 1, (CANVAS - EDGE) * k - 1), radius=CORNER * k, fill=255
    )
    return mask


def smooth_scene(k: int = SUPERSAMPLE) -> Image.Image:
    """The uncompressed landscape as an RGB raster of CANVAS * k pixels (no rounded corners yet)."""
    size = CANVAS * k
    t = np.linspace(0.0, 1.0, size)[:, None, None]
    sky = (1 - t) * np.array(SKY_TOP) + t * np.array(SKY_BOTTOM)
    im = Image.fromarray(np.broadcast_to(sky, (size, size, 3)).round().astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(im)
    (cx, cy), r, colour = SUN
    draw.ellipse(((cx - r) * k, (cy - r) * k, (cx + r) * k, (cy + r) * k), fill=colour)
    for points, colour in (BACK_HILLS, FRONT_HILLS):
        draw.polygon(_scaled(points, k), fill=colour)
    return im


def coded_blocks(scene: Image.Image, k: int = SUPERSAMPLE) -> list[Block]:
    """Mean colour of the scene in each BLOCK-unit square right of the slider, inside the rounded square."""
    a = np.asarray(scene, dtype=np.float64)
    inside = np.asarray(_rounded_mask(scene.width, k), dtype=bool)
    blocks = []
    for y in range(EDGE, CANVAS - EDGE, BLOCK):
        for x in range(SPLIT, CANVAS - EDGE, BLOCK):
            sl = np.s_[y * k : (y + BLOCK) * k, x * k : (x + BLOCK) * k]
            m = inside[sl]
            if m.any():
                mean = a[sl][m].mean(axis=0).round().astype(int)
                blocks.append(Block(x, y, (int(mean[0]), int(mean[1]), int(mean[2]))))
    return blocks


def render_master(k: int = SUPERSAMPLE) -> Image.Image:
    """The icon as an RGBA raster of CANVAS * k pixels."""
    scene = smooth_scene(k)
    draw = ImageDraw.Draw(scene)
    for b in coded_blocks(scene, k):
        draw.rectangle((b.x * k, b.y * k, (b.x + BLOCK) * k - 1, (b.y + BLOCK) * k - 1), fill=b.rgb)
    draw.rectangle(((SPLIT - 2) * k, EDGE * k, (SPLIT + 2) * k - 1, (CANVAS - EDGE) * k - 1), fill=SLIDER)
    draw.ellipse(((SPLIT - 12) * k, (SPLIT - 12) * k, (SPLIT + 12) * k, (SPLIT + 12) * k), fill=SLIDER)
    draw.ellipse(((SPLIT - 6) * k, (SPLIT - 6) * k, (SPLIT + 6) * k, (SPLIT + 6) * k), fill=SKY_TOP)
    scene.putalpha(_rounded_mask(scene.width, k))
    return scene


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _points(points: list[Point]) -> str:
    return " ".join(f"{round(x, 2):g},{round(y, 2):g}" for x, y in points)


def _clipped(points: list[Point], fill: tuple[int, int, int], frame: list[Point], indent: str) -> str:
    return f'{indent}<polygon points="{_points(clip_polygon(points, frame))}" fill="{_hex(fill)}"/>'


def _square(b: Block) -> list[Point]:
    return [(b.x, b.y), (b.x + BLOCK, b.y), (b.x + BLOCK, b.y + BLOCK), (b.x, b.y + BLOCK)]


def render_svg(blocks: list[Block]) -> str:
    """The same icon as SVG source on a 256-unit view box, without clip paths (SVG Tiny renders it)."""
    (cx, cy), r, sun = SUN
    side = CANVAS - 2 * EDGE
    frame = frame_polygon()
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CANVAS}" height="{CANVAS}" viewBox="0 0 {CANVAS} {CANVAS}">',
        "  <title>nicgui</title>",
        "  <defs>",
        f'    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="{CANVAS}" gradientUnits="userSpaceOnUse">',
        f'      <stop offset="0" stop-color="{_hex(SKY_TOP)}"/>',
        f'      <stop offset="1" stop-color="{_hex(SKY_BOTTOM)}"/>',
        "    </linearGradient>",
        "  </defs>",
        f'  <rect x="{EDGE}" y="{EDGE}" width="{side}" height="{side}" rx="{CORNER}" fill="url(#sky)"/>',
        f'  <circle cx="{cx}" cy="{cy}" r="{r}" fill="{_hex(sun)}"/>',
        _clipped(BACK_HILLS[0], BACK_HILLS[1], frame, "  "),
        _clipped(FRONT_HILLS[0], FRONT_HILLS[1], frame, "  "),
        '  <g shape-rendering="crispEdges">',
        *(_clipped(_square(b), b.rgb, frame, "    ") for b in blocks),
        "  </g>",
        f'  <rect x="{SPLIT - 2}" y="{EDGE}" width="4" height="{side}" fill="{_hex(SLIDER)}"/>',
        f'  <circle cx="{SPLIT}" cy="{SPLIT}" r="12" fill="{_hex(SLIDER)}"/>',
        f'  <circle cx="{SPLIT}" cy="{SPLIT}" r="6" fill="{_hex(SKY_TOP)}"/>',
        "</svg>",
    ]
    return "\n".join(lines) + "\n"


def write_icons(out: Path) -> list[Path]:
    """Write the PNG, SVG, ICO and ICNS icons into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    master = render_master()
    png = master.resize((256, 256), Image.Resampling.LANCZOS)
    paths = [out / "nicgui.png", out / "nicgui.svg", out / "nicgui.ico", out / "nicgui.icns"]
    png.save(paths[0], optimize=True)
    paths[1].write_text(render_svg(coded_blocks(smooth_scene())), encoding="utf-8")
    master.save(paths[2], sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    master.save(paths[3])
    for p in paths:
        log.info("wrote %s (%d bytes)", p, p.stat().st_size)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent / "resources"
    parser.add_argument("out", nargs="?", type=Path, default=default, help="output folder (default: resources/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    write_icons(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
