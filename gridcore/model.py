"""The Banino et al. network: a recurrent core, a linear bottleneck and two read-outs.

    velocity (B, T, 3) --> LSTM(128) --> Linear(128 -> 256, no bias) = bottleneck "g"
                                          --> dropout 0.5 --> Linear(256 -> 256) place logits
                                                          --> Linear(256 -> 12)  head-direction logits

The LSTM's initial hidden and cell states are linear functions (with bias) of the place and
head-direction activations at the start position and heading (256 + 12 = 268 values). The forget
gate's bias starts at 1, as in Sonnet's LSTM. Grid-like units are looked for in the bottleneck,
before dropout.

The paper's text says 512 bottleneck units; DeepMind's code, and our default, use 256.
``core`` selects the recurrent cell: "lstm" (the paper), "gru" or "rnn" (tanh).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

CORES = ("lstm", "gru", "rnn")
DECAY_LAYERS = ("heads", "heads+bottleneck")  # which weights the L2 term covers


@dataclass
class ModelOutput:
    """What one forward pass returns; shapes for B trajectories of T steps."""

    place_logits: torch.Tensor  # (B, T, n_place)
    hd_logits: torch.Tensor  # (B, T, n_hd)
    bottleneck: torch.Tensor  # (B, T, n_bottleneck), before dropout: where grid cells live
    hidden: torch.Tensor  # (B, T, n_hidden), the recurrent core's output


def dropout(x: torch.Tensor, p: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Inverted dropout: zero each element with probability p, scale the rest by 1 / (1 - p).

    Same as ``F.dropout`` but drawing the mask with ``rand`` is about 3x faster on CPU here.
    The mask comes from ``generator`` (on ``x``'s device), or from torch's global RNG; a
    generator in the global RNG's state draws the same mask.
    """
    if p == 0:
        return x
    if generator is None:
        noise = torch.rand_like(x)
    else:
        noise = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return x * (noise >= p).to(x.dtype) / (1 - p)


class GridCellNetwork(nn.Module):
    """Banino et al.'s grid-cell network (Fig. 1a of the paper)."""

    def __init__(
        self,
        n_place: int = 256,
        n_hd: int = 12,
        n_hidden: int = 128,
        n_bottleneck: int = 256,
        dropout: float = 0.5,
        core: str = "lstm",
        eval_dropout: bool = False,
        n_inputs: int = 3,
    ) -> None:
        super().__init__()
        if core not in CORES:
            raise ValueError(f"unknown recurrent core {core!r}; choose one of: {CORES}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.core_name, self.dropout, self.eval_dropout = core, dropout, eval_dropout
        n_init = n_place + n_hd
        self.init_h = nn.Linear(n_init, n_hidden)
        self.init_c = nn.Linear(n_init, n_hidden) if core == "lstm" else None
        rnn_cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[core]
        self.core = rnn_cls(n_inputs, n_hidden, batch_first=True)
        if core == "lstm":
            self._set_forget_bias(1.0)
        self.bottleneck = nn.Linear(n_hidden, n_bottleneck, bias=False)
        self.place_head = nn.Linear(n_bottleneck, n_place)
        self.hd_head = nn.Linear(n_bottleneck, n_hd)

    def _set_forget_bias(self, value: float) -> None:
        # PyTorch orders the LSTM gates (input, forget, cell, output) and has two bias vectors
        # that are summed; put the whole forget bias in one of them.
        h = self.core.hidden_size
        with torch.no_grad():
            self.core.bias_ih_l0[h : 2 * h].fill_(value)
            self.core.bias_hh_l0[h : 2 * h].zero_()

    def initial_state(self, init_code: torch.Tensor):
        """The recurrent core's initial state from the 268 initial ensemble activations."""
        h0 = self.init_h(init_code)[None]
        if self.init_c is None:
            return h0
        return h0, self.init_c(init_code)[None]

    def output_weights(self) -> list[torch.Tensor]:
        """The read-out weight matrices, on which the paper applies weight decay."""
        return [self.place_head.weight, self.hd_head.weight]

    def decay_weights(self, layers: str = "heads") -> list[torch.Tensor]:
        """The weights that the L2 term covers: ``"heads"`` (the read-outs, as the paper says)
        or ``"heads+bottleneck"`` (what DeepMind's code registers, though it never applies
        it)."""
        if layers not in DECAY_LAYERS:
            raise ValueError(f"layers must be one of {DECAY_LAYERS}, got {layers!r}")
        extra = [self.bottleneck.weight] if layers == "heads+bottleneck" else []
        return self.output_weights() + extra

    def forward(self, velocity: torch.Tensor, init_code: torch.Tensor) -> ModelOutput:
        """Run the network on egocentric velocities (B, T, 3) from the initial code (B, 268)."""
        hidden, _ = self.core(velocity, self.initial_state(init_code))
        g = self.bottleneck(hidden)
        dropped = dropout(g, self.dropout) if self.training or self.eval_dropout else g
        return ModelOutput(self.place_head(dropped), self.hd_head(dropped), g, hidden)


def parameter_table(model: GridCellNetwork) -> list[dict]:
    """One row per layer: its name, the shapes of its tensors and its number of parameters."""
    rows = []
    for name, module in model.named_children():
        tensors = dict(module.named_parameters())
        if not tensors:
            continue
        rows.append(
            {
                "layer": name,
                "module": type(module).__name__,
                "shapes": {k: tuple(v.shape) for k, v in tensors.items()},
                "parameters": sum(v.numel() for v in tensors.values()),
            }
        )
    return rows
