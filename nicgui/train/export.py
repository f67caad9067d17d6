"""Turn a training checkpoint into the shipped inference weights (with probability tables)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from nicgui.codec.models import CodecModel, from_config
from nicgui.codec.weights import ModelIdentity, save_weights
from nicgui.train.calibrate import Calibration, calibrate_ladder, pick_pictures


def load_checkpoint(path: Path) -> tuple[CodecModel, int, dict]:
    """(model, step, raw checkpoint) of a trainer checkpoint, loaded without running pickle code."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        ck = torch.load(path, map_location="cpu", weights_only=True)
        model = from_config(ck.get("family", "theis-cae"), ck["config"])
        model.load_state_dict(ck["model"])
    except Exception as e:
        raise ValueError(f"{path} is not a nicgui training checkpoint: {e}") from e
    return model.eval(), int(ck.get("step", 0)), ck


def export_checkpoint(
    checkpoint: Path,
    output: Path,
    note: str = "",
    float16: bool = False,
    calibrate: Sequence[Path] = (),
    calibration_pictures: int = 64,
) -> tuple[ModelIdentity, Calibration | None]:
    """Write the weights of a checkpoint; with ``calibrate`` (folders of training pictures) a
    hyperprior's scale tables are fitted to what it codes on them first (``calibrate.py``)."""
    model, step, _ = load_checkpoint(checkpoint)
    info: dict[str, Any] = {"steps": step, "note": note}
    calibration = None
    if calibrate:
        calibration = calibrate_ladder(model, pick_pictures(calibrate, calibration_pictures))
        info["scale_tables"] = (
            f"fitted on {calibration.pictures} pictures x {calibration.qualities} qualities "
            f"({100 * calibration.saving:.1f} % fewer latent bits on them)"
        )
    return save_weights(model, output, info=info, float16=float16), calibration
