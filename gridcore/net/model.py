"""The Banino et al. network: a recurrent core, a linear bottleneck and two read-outs.

    velocity (B, T, 3) --> LSTM(128) --> Linear(128 -> 256, no bias) = bottleneck "g"
                                          --> dropout 0.5 --> Linear(256 -> 256) place logits
                                                          --> Linear(256 -> 12)  head-direction logits

The LSTM's initial hidden and cell states are linear functions (with bias) of the place and
head-direction activations at the start position and heading (256 + 12 = 268 values). The forget
gate's bias starts at 1, as in Sonnet's LSTM. Grid-like units are looked for in the bottleneck,
before dropout.

The paper's text says 512 bottleneck units; DeepMind's code, and our default, use 256.
``core`` selects the core: "lstm" (the paper), "gru", "rnn" (tanh), "rnn_relu" (a vanilla RNN
with ReLU) or "attention". Only the LSTM is the paper's; the others answer the question "does
another core do the same?".

**The attention core** (gridcore's own design; the paper has only the LSTM) is a small causal
transformer: ``nn.TransformerEncoder`` of two pre-norm ``nn.TransformerEncoderLayer`` s
(batch-first, 4 heads, feed-forward width 2 x d_model, no dropout inside; the network's dropout
stays on the bottleneck), with a final LayerNorm. Its tokens are

    token 0     = init_h(initial code)                 the start's place (and HD) code
    token t + 1 = Linear(velocity at step t)           t = 0 .. T - 1

each plus a sinusoidal positional encoding, under a causal mask (a token attends to itself and
the tokens before it), so the output at step t depends on the initial code and the velocities of
steps 0..t only, as the LSTM's does. The outputs of tokens 1..T feed the bottleneck.
Its width d_model is n_hidden / 2: two layers of 8 d_model^2 weights each are 4 n_hidden^2, the
LSTM's count, at any n_hidden (at n_hidden = 128: 67 k weights in the core against the LSTM's
68 k; its initial-state layer is one d_model-wide token, where the LSTM has two 128-wide states).
n_hidden must be a multiple of 8 (4 heads of d_model / 4). The sinusoidal encoding has no length
limit, so the core runs on the 750 steps of a 15 s path-integration test, though trained on 100:
how well attention carries over to sequences longer than those it learnt on is part of the
question, not a property of the code. Its time grows with the square of the length (250 paths
of 750 steps: a few seconds on a CPU).

``velocity_input`` selects what the network reads each step: "egocentric" (the paper's speed,
sin and cos of the turn: 3 numbers) or "allocentric" (Cartesian velocity vx, vy: 2 numbers).
Without head-direction cells (``use_hd=False``) the initial code is the place cells' alone and
there is no head-direction read-out (``hd_logits`` is None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

CORES = ("lstm", "gru", "rnn", "rnn_relu", "attention")
# What the network reads each step, and how many numbers per step that is.
INPUT_SIZES = {"egocentric": 3, "allocentric": 2}
VELOCITY_INPUTS = tuple(INPUT_SIZES)
ATTENTION_LAYERS = 2
ATTENTION_HEADS = 4
DECAY_LAYERS = ("heads", "heads+bottleneck")  # which weights the L2 term covers
# How the place read-out sees the bottleneck when there are several place ensembles: "shared"
# (every ensemble's logits from every bottleneck unit, as DeepMind's code) or "sliced"
# (ensemble k's logits from the k-th of K equal slices of the bottleneck only).
PLACE_READOUTS = ("shared", "sliced")


@dataclass
class ModelOutput:
    """What one forward pass returns; shapes for B trajectories of T steps."""

    place_logits: torch.Tensor  # (B, T, n_place)
    hd_logits: torch.Tensor | None  # (B, T, n_hd); None without head-direction cells
    bottleneck: torch.Tensor  # (B, T, n_bottleneck), before dropout: where grid cells live
    hidden: torch.Tensor  # (B, T, n_hidden), the core's output (n_hidden / 2 for attention)


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


def sinusoidal_positions(n: int, width: int, device=None, dtype=None) -> torch.Tensor:
    """(n, width) sinusoidal positional encoding of positions 0..n-1 (Vaswani et al. 2017):
    sin(p / 10000^(2i / width)) in even columns, cos in odd ones; any n."""
    pos = torch.arange(n, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(
        torch.arange(0, width, 2, device=device, dtype=torch.float32) * (-math.log(1e4) / width)
    )
    out = torch.zeros(n, width, device=device, dtype=torch.float32)
    out[:, 0::2] = torch.sin(pos * freq)
    out[:, 1::2] = torch.cos(pos * freq[: width // 2])
    return out.to(dtype) if dtype is not None else out


class AttentionCore(nn.Module):
    """Causal self-attention over the velocity sequence (see the module's docstring).

    ``forward(velocity (B, T, n_inputs), first_token (B, d_model))`` -> (B, T, d_model).
    """

    def __init__(
        self,
        n_inputs: int,
        d_model: int,
        n_layers: int = ATTENTION_LAYERS,
        n_heads: int = ATTENTION_HEADS,
    ) -> None:
        super().__init__()
        if d_model < 1 or d_model % n_heads:
            raise ValueError(f"d_model must be a positive multiple of {n_heads}, got {d_model}")
        self.hidden_size = d_model
        self.input_proj = nn.Linear(n_inputs, d_model)
        layer = nn.TransformerEncoderLayer(
            d_model,
            n_heads,
            dim_feedforward=2 * d_model,
            dropout=0.0,
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(
            layer, n_layers, norm=nn.LayerNorm(d_model), enable_nested_tensor=False
        )

    def forward(self, velocity: torch.Tensor, first_token: torch.Tensor) -> torch.Tensor:
        steps = velocity.shape[1] + 1
        tokens = torch.cat([first_token[:, None], self.input_proj(velocity)], dim=1)
        tokens = tokens + sinusoidal_positions(steps, self.hidden_size, tokens.device, tokens.dtype)
        mask = nn.Transformer.generate_square_subsequent_mask(
            steps, device=tokens.device, dtype=tokens.dtype
        )
        # The fused inference path of nn.TransformerEncoderLayer applies the (T+1)^2 mask as a
        # dense matrix per head (5 GB for 250 paths of 15 s); the ordinary path passes
        # is_causal to scaled_dot_product_attention, which never forms it. Same numbers.
        fast = torch.backends.mha.get_fastpath_enabled()
        torch.backends.mha.set_fastpath_enabled(False)
        try:
            return self.encoder(tokens, mask=mask, is_causal=True)[:, 1:]
        finally:
            torch.backends.mha.set_fastpath_enabled(fast)


def slice_mask(n_in: int, blocks: list[int]) -> torch.Tensor:
    """(sum(blocks), n_in) 0/1 mask: output block k sees only the k-th of ``len(blocks)`` equal
    slices of the ``n_in`` inputs. ``n_in`` must be a multiple of the number of blocks."""
    k = len(blocks)
    if k < 1 or n_in % k:
        raise ValueError(f"{n_in} inputs cannot be cut into {k} equal slices")
    width = n_in // k
    mask = torch.zeros(sum(blocks), n_in)
    start = 0
    for i, size in enumerate(blocks):
        mask[start : start + size, i * width : (i + 1) * width] = 1.0
        start += size
    return mask


class SlicedLinear(nn.Linear):
    """A linear read-out whose output blocks each read one slice of the input.

    logits[..., block k] = x[..., slice k] @ W_k^T + b_k: a block-diagonal weight, stored as one
    (out, in) matrix with its off-diagonal blocks held at zero (by a fixed mask in the forward
    pass, so they get no gradient and no weight decay moves them off zero). Within a slice the
    weights start as ``nn.Linear``'s would for that slice's fan-in, uniform in
    +-1 / sqrt(in / K). With one block it is an ordinary ``nn.Linear``.
    """

    def __init__(self, in_features: int, blocks: list[int]) -> None:
        super().__init__(in_features, sum(blocks))
        mask = slice_mask(in_features, blocks)
        self.register_buffer("mask", mask, persistent=False)
        with torch.no_grad():
            self.weight.mul_(mask * math.sqrt(len(blocks)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x, self.weight * self.mask, self.bias)


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
        velocity_input: str = "egocentric",
        use_hd: bool = True,
        n_inputs: int | None = None,
        place_blocks: list[int] | None = None,
        anchor_prob: float = 0.0,
        lost_prob: float = 0.0,
    ) -> None:
        """``n_inputs``: numbers read per step, when not the 2-D ``velocity_input``'s (the 3-D
        egocentric velocity has 5, :mod:`gridcore.world.volume`). ``place_blocks``: the sizes of the
        place ensembles (summing to ``n_place``) when each is read out from its own equal slice
        of the bottleneck (:class:`SlicedLinear`); None, one read-out over all of it.
        ``anchor_prob``: the probability per step that the network also reads the true place
        and head-direction code (``n_place + n_hd`` more inputs, zeros on the other steps);
        ``lost_prob``: the probability that a training trajectory starts from another one's
        initial code, so that only its anchors can tell it where it is."""
        super().__init__()
        if core not in CORES:
            raise ValueError(f"unknown core {core!r}; choose one of: {', '.join(CORES)}")
        if velocity_input not in VELOCITY_INPUTS:
            raise ValueError(
                f"velocity_input must be one of {', '.join(VELOCITY_INPUTS)}, got {velocity_input!r}"
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if core == "attention" and n_hidden % (2 * ATTENTION_HEADS):
            raise ValueError(
                f"the attention core needs n_hidden a multiple of {2 * ATTENTION_HEADS} "
                f"(width n_hidden / 2 over {ATTENTION_HEADS} heads), got {n_hidden}"
            )
        self.core_name, self.dropout, self.eval_dropout = core, dropout, eval_dropout
        if not 0.0 <= anchor_prob < 1.0:
            raise ValueError(f"anchor_prob must be in [0, 1), got {anchor_prob}")
        self.velocity_input, self.use_hd = velocity_input, use_hd
        n_inputs = INPUT_SIZES[velocity_input] if n_inputs is None else n_inputs
        n_init = n_place + (n_hd if use_hd else 0)
        # Anchoring: the same code as the initial state's, on a fraction of the steps.
        self.anchor_prob, self.n_anchor = anchor_prob, n_init if anchor_prob > 0 else 0
        self.lost_prob = lost_prob
        n_inputs += self.n_anchor
        width = n_hidden // 2 if core == "attention" else n_hidden
        # The initial state (recurrent cores) or the first token (attention) from the code.
        self.init_h = nn.Linear(n_init, width)
        self.init_c = nn.Linear(n_init, width) if core == "lstm" else None
        if core == "attention":
            self.core = AttentionCore(n_inputs, width)
        else:
            rnn_cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN, "rnn_relu": nn.RNN}[core]
            extra = {"nonlinearity": "relu"} if core == "rnn_relu" else {}
            self.core = rnn_cls(n_inputs, n_hidden, batch_first=True, **extra)
        if core == "lstm":
            self._set_forget_bias(1.0)
        self.bottleneck = nn.Linear(width, n_bottleneck, bias=False)
        if place_blocks is None:
            self.place_head = nn.Linear(n_bottleneck, n_place)
        else:
            if sum(place_blocks) != n_place:
                raise ValueError(f"place_blocks {place_blocks} do not sum to n_place={n_place}")
            self.place_head = SlicedLinear(n_bottleneck, list(place_blocks))
        self.hd_head = nn.Linear(n_bottleneck, n_hd) if use_hd else None

    def _set_forget_bias(self, value: float) -> None:
        # PyTorch orders the LSTM gates (input, forget, cell, output) and has two bias vectors
        # that are summed; put the whole forget bias in one of them.
        h = self.core.hidden_size
        with torch.no_grad():
            self.core.bias_ih_l0[h : 2 * h].fill_(value)
            self.core.bias_hh_l0[h : 2 * h].zero_()

    def initial_state(self, init_code: torch.Tensor):
        """The recurrent core's initial state from the 268 initial ensemble activations (256
        without head direction); for attention, the first token (B, d_model)."""
        if self.core_name == "attention":
            return self.init_h(init_code)
        h0 = self.init_h(init_code)[None]
        if self.init_c is None:
            return h0
        return h0, self.init_c(init_code)[None]

    def output_weights(self) -> list[torch.Tensor]:
        """The read-out weight matrices, on which the paper applies weight decay."""
        return [head.weight for head in self.heads()]

    def heads(self) -> list[nn.Linear]:
        """The read-outs: place cells, and head direction unless it is off."""
        return [self.place_head] + ([self.hd_head] if self.hd_head is not None else [])

    def head_parameters(self) -> list[nn.Parameter]:
        """The read-outs' parameters (weights and biases), which ``clip_scope="heads"`` clips."""
        return [p for head in self.heads() for p in head.parameters()]

    def decay_weights(self, layers: str = "heads") -> list[torch.Tensor]:
        """The weights that the L2 term covers: ``"heads"`` (the read-outs, as the paper says)
        or ``"heads+bottleneck"`` (what DeepMind's code registers, though it never applies
        it)."""
        if layers not in DECAY_LAYERS:
            raise ValueError(f"layers must be one of {DECAY_LAYERS}, got {layers!r}")
        extra = [self.bottleneck.weight] if layers == "heads+bottleneck" else []
        return self.output_weights() + extra

    def forward(self, velocity: torch.Tensor, init_code: torch.Tensor) -> ModelOutput:
        """Run the network on velocities (B, T, 3), or (B, T, 2) allocentric, from the initial
        code (B, 268), or (B, 256) without head direction. An anchored network reads its
        masked anchor code after the velocity: (B, T, 3 + 268)."""
        if self.core_name == "attention":
            hidden = self.core(velocity, self.initial_state(init_code))
        else:
            hidden, _ = self.core(velocity, self.initial_state(init_code))
        g = self.bottleneck(hidden)
        dropped = dropout(g, self.dropout) if self.training or self.eval_dropout else g
        hd = self.hd_head(dropped) if self.hd_head is not None else None
        return ModelOutput(self.place_head(dropped), hd, g, hidden)


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
