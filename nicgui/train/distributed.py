"""Data-parallel training over several processes started by ``torchrun`` (PyTorch DDP).

One process per GPU (or several CPU processes): ``torchrun`` sets RANK, LOCAL_RANK and
WORLD_SIZE; each process draws its own crops, DistributedDataParallel averages the gradients, and
rank 0 alone writes logs and checkpoints. Without those variables everything here is a no-op.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Distributed:
    """This process's place in a training run."""

    device: torch.device
    rank: int = 0
    world: int = 1
    backend: str = ""

    @property
    def main(self) -> bool:
        """Whether this process logs, validates and saves."""
        return self.rank == 0

    @classmethod
    def from_environment(cls, device: str) -> Distributed:
        """Join the process group torchrun describes (NCCL on CUDA, Gloo on CPU), if any."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        dev = torch.device(device)
        if world <= 1:
            return cls(dev)
        rank = int(os.environ["RANK"])
        if dev.type == "cuda":
            dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(dev)
        backend = "nccl" if dev.type == "cuda" else "gloo"
        dist.init_process_group(backend)
        log.debug("rank %d of %d on %s", rank, world, dev)
        return cls(dev, rank, world, backend)

    def wrap(self, module: nn.Module) -> nn.Module:
        """The module under DistributedDataParallel when there are several processes."""
        if self.world == 1:
            return module
        from torch.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(module, device_ids=[self.device.index] if self.device.type == "cuda" else None)

    def agree(self, elapsed: float, stop: bool) -> tuple[float, bool]:
        """The largest elapsed time and whether any process was asked to stop."""
        if self.world == 1:
            return elapsed, stop
        t = torch.tensor([elapsed, float(stop)], dtype=torch.float64, device=self.device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return float(t[0]), bool(t[1] > 0)

    def check_in_sync(self, model: nn.Module) -> None:
        """Raise if the processes' parameters have drifted apart (they must stay identical)."""
        if self.world == 1:
            return
        flat = torch.cat([p.detach().double().flatten() for p in model.parameters()])
        sig = torch.stack([flat.sum(), (flat * flat).sum()]).to(self.device)
        every = [torch.zeros_like(sig) for _ in range(self.world)]
        dist.all_gather(every, sig)
        if any(not torch.equal(s, every[0]) for s in every):
            raise RuntimeError(f"data-parallel processes diverged: parameter checksums {[s.tolist() for s in every]}")

    def close(self) -> None:
        """Leave the process group together: every process waits at a barrier first, so none
        closes its connections while another still works (rank 0 saving the checkpoint). A
        process that tore its Gloo group down while the other still used it aborted once in CI
        (SIGABRT, "terminate called without an active exception")."""
        if self.world > 1 and dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()
