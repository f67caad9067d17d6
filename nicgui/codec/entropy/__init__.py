"""Entropy models and their integer tables (the probability side of every model family).

- ``tables``: integer frequency tables, the only thing the coder reads;
- ``gsm``: the CAE's Gaussian scale mixture per channel, with quality -> scale vectors;
- ``gaussian``: the Gaussian conditional over a fixed ladder of scales (hyperprior latents);
- ``factorized``: a learned per-channel prior (the hyperprior's side information).
"""

from nicgui.codec.entropy.gsm import EntropyModel, Tables, build_tables
from nicgui.codec.entropy.tables import ESCAPE_BITS, FREQ_BITS, MAX_HALF_WIDTH, TAIL_MASS, TableSet
from nicgui.codec.quality import QUALITIES, quality_position

__all__ = [
    "ESCAPE_BITS",
    "FREQ_BITS",
    "MAX_HALF_WIDTH",
    "QUALITIES",
    "TAIL_MASS",
    "EntropyModel",
    "TableSet",
    "Tables",
    "build_tables",
    "quality_position",
]
