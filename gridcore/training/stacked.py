"""Many networks as one: M independent Banino networks whose weights are stacked ``[M, ...]``.

A batch-10 step barely occupies a GPU (and leaves a CPU core waiting on small-op overheads), so a
sweep over seeds can advance M networks with one step instead of M. :class:`StackedNetwork`
holds every weight of M :class:`~gridcore.net.model.GridCellNetwork` s as one tensor with a leading
model axis and runs the recurrent core (LSTM, GRU, or RNN with tanh or ReLU), the initial-state
layers, the
bottleneck and the read-outs with batched matrix products (``torch.baddbmm``); ``nn.LSTM`` has
no batching rule for ``torch.func.vmap``. Either velocity input and networks without
head-direction cells stack too; the attention core does not (:data:`STACKABLE_CORES`; asking is
a GridcoreError). Nothing couples the models:

* **weights**: stacked from M ordinary networks, each built under its own seed, so model m
  starts exactly as the separate run of that seed;
* **data**: the caller stacks M batches (one :class:`~gridcore.world.trajectories.TrajectoryStream`
  per seed): every tensor of the step gains a leading model axis;
* **dropout**: model m draws its masks from its own ``torch.Generator``, which starts in the
  state the separate run's global RNG is in after building the network (or restoring a
  checkpoint), so it draws the separate run's masks in the separate run's order;
* **loss**: the sum over models of each model's mean loss (its own L2 term included), so the
  gradient of model m's slice is that of model m's separate loss;
* **optimiser**: one optimiser over the stacked weights. TF1 RMSProp, PyTorch's RMSProp, Adam
  and SGD update each element from its own gradient and buffers, and clipping is by value, so
  the slice of every buffer is model m's own state (:class:`OptimizerView` reads it back).

With M = 1 the network computes what :class:`~gridcore.net.model.GridCellNetwork` computes, in a
different order of floating-point operations (equal up to rounding). :meth:`StackedNetwork.unstack`
gives each model's ``state_dict``, loadable by an ordinary network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from functools import partial

import torch
from torch import nn

from gridcore.errors import GridcoreError
from gridcore.net.model import DECAY_LAYERS, GridCellNetwork, ModelOutput, dropout
from gridcore.net.task import Step, StepSettings, model_inputs, optimisation_step, output_losses
from gridcore.world.ensembles import Ensembles
from gridcore.world.trajectories import Trajectories

HEADS = ("place_head.", "hd_head.")
# How the recurrent core runs: "batched" (all M models in one batched product per time step),
# "per-model" (PyTorch's own fused kernel, once per model; on a CPU it is the faster), or
# "auto": batched on a GPU, per-model on the CPU.
CORE_IMPLS = ("auto", "batched", "per-model")
_FUSED = {"lstm": torch.lstm, "gru": torch.gru, "rnn": torch.rnn_tanh, "rnn_relu": torch.rnn_relu}
STACKABLE_CORES = tuple(_FUSED)  # the attention core has no stacked version


def check_stackable(core: str) -> None:
    """A GridcoreError unless networks with ``core`` can be trained stacked."""
    if core not in STACKABLE_CORES:
        raise GridcoreError(
            f"core {core} cannot be trained stacked (stacked cores: {', '.join(STACKABLE_CORES)}); "
            "train it one network at a time (--models-per-worker 1)"
        )


_CORE = ("core.weight_ih_l0", "core.weight_hh_l0", "core.bias_ih_l0", "core.bias_hh_l0")


def _key(name: str) -> str:
    return name.replace(".", "__")


class _LSTMSequence(torch.autograd.Function):
    """M LSTMs over T steps with back-propagation through time written out.

    Forward: gates = xw_t + h W_hh^T (the input projection ``xw`` and both biases computed
    outside, for every step at once), i, f, o = sigmoid, g = tanh, c = f c + i g,
    h = o tanh(c). Backward runs the recurrence in reverse with a handful of elementwise
    operations and one batched product per step, and forms the recurrent weights' gradient
    from every step at once in one batched product; autograd through the loop would record
    about three times as many operations, each with its own overhead.
    Storage is time-major: (T, M, B, ...).
    """

    @staticmethod
    def forward(ctx, xw, h0, c0, w_hh):  # xw (M, T, B, 4H), h0/c0 (M, B, H), w_hh (M, 4H, H)
        T, H = xw.shape[1], h0.shape[-1]
        w_t = w_hh.transpose(1, 2)
        acts = xw.new_empty((T, *xw.shape[:1], *xw.shape[2:]))  # (T, M, B, 4H) activated gates
        cs = h0.new_empty((T, *h0.shape))  # cell states
        tcs = torch.empty_like(cs)  # tanh of the cell states
        hs = torch.empty_like(cs)
        h, c = h0, c0
        for t in range(T):
            gates = torch.baddbmm(xw[:, t], h, w_t, out=acts[t])
            gates[..., : 2 * H].sigmoid_()
            gates[..., 2 * H : 3 * H].tanh_()
            gates[..., 3 * H :].sigmoid_()
            i, f, g, o = gates.split(H, dim=-1)
            c = torch.addcmul(f * c, i, g, out=cs[t])
            tc = torch.tanh(c, out=tcs[t])
            h = torch.mul(o, tc, out=hs[t])
        ctx.save_for_backward(h0, c0, w_hh, acts, cs, tcs, hs)
        return hs

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, dhs):
        h0, c0, w_hh, acts, cs, tcs, hs = ctx.saved_tensors
        T, H = acts.shape[0], h0.shape[-1]
        # d(activation)/d(pre-activation) of every gate at every step, at once.
        deriv = acts * (1 - acts)
        g_all = acts[..., 2 * H : 3 * H]
        deriv[..., 2 * H : 3 * H] = 1 - g_all * g_all
        o_all = acts[..., 3 * H :]
        dc_from_h = o_all * (1 - tcs * tcs)  # dc/dh through h = o tanh(c)
        dgates = torch.empty_like(acts)
        dh_next = torch.zeros_like(h0)
        dc = torch.zeros_like(c0)
        for t in range(T - 1, -1, -1):
            i, f, g, _ = acts[t].split(H, dim=-1)
            c_prev = cs[t - 1] if t > 0 else c0
            dh = dhs[t] + dh_next
            dc = torch.addcmul(dc, dh, dc_from_h[t])
            d = dgates[t]
            torch.mul(dc, g, out=d[..., :H])
            torch.mul(dc, c_prev, out=d[..., H : 2 * H])
            torch.mul(dc, i, out=d[..., 2 * H : 3 * H])
            torch.mul(dh, tcs[t], out=d[..., 3 * H :])
            d.mul_(deriv[t])
            dh_next = torch.bmm(d, w_hh)
            dc = dc * f
        m = h0.shape[0]
        h_prev = torch.cat([h0[None], hs[:-1]])  # (T, M, B, H)
        flat_d = dgates.permute(1, 0, 2, 3).reshape(m, -1, 4 * H)
        flat_h = h_prev.permute(1, 0, 2, 3).reshape(m, -1, H)
        dw_hh = torch.bmm(flat_d.transpose(1, 2), flat_h)
        return dgates.permute(1, 0, 2, 3), dh_next, dc, dw_hh


class StackedNetwork(nn.Module):
    """M independent grid-cell networks as one module: every weight ``[M, *shape]``.

    Inputs and outputs carry a leading model axis: velocities (M, B, T, 3) and initial codes
    (M, B, 268) give place logits (M, B, T, n_place), and so on. Parameters are registered in
    the order of ``GridCellNetwork.parameters()``, so index i of an optimiser over this module
    is index i of an optimiser over one ordinary network.
    """

    def __init__(self, models: Sequence[GridCellNetwork], core_impl: str = "auto") -> None:
        super().__init__()
        if not models:
            raise ValueError("need at least one network to stack")
        if core_impl not in CORE_IMPLS:
            raise ValueError(f"core_impl must be one of {CORE_IMPLS}, got {core_impl!r}")
        self.core_impl = core_impl
        first = models[0]
        check_stackable(first.core_name)
        if any(getattr(m, "n_anchor", 0) for m in models):
            raise GridcoreError("anchored networks (anchor_prob > 0) train one at a time")
        settings = ("core_name", "dropout", "eval_dropout", "velocity_input", "use_hd")
        mask = getattr(first.place_head, "mask", None)  # a sliced read-out's block mask
        for other in models[1:]:
            same = all(getattr(other, k) == getattr(first, k) for k in settings)
            other_mask = getattr(other.place_head, "mask", None)
            same = same and (
                (mask is None and other_mask is None)
                or (mask is not None and other_mask is not None and torch.equal(mask, other_mask))
            )
            shapes = [p.shape for p in other.parameters()] == [p.shape for p in first.parameters()]
            if not (same and shapes):
                raise ValueError("stacked networks must share their architecture and dropout")
        self.core_name, self.dropout, self.eval_dropout = (
            first.core_name,
            first.dropout,
            first.eval_dropout,
        )
        self.velocity_input, self.use_hd = first.velocity_input, first.use_hd
        self.register_buffer("place_mask", mask, persistent=False)
        self.n_models = len(models)
        self.n_hidden = first.core.hidden_size
        self.names = [name for name, _ in first.named_parameters()]
        for name in self.names:
            tensors = [dict(m.named_parameters())[name].detach() for m in models]
            self.register_parameter(_key(name), nn.Parameter(torch.stack(tensors).clone()))

    def weight(self, name: str) -> nn.Parameter:
        """The stacked tensor of the ordinary network's parameter ``name`` (e.g.
        ``"core.weight_hh_l0"``)."""
        return getattr(self, _key(name))

    def unstack(self) -> list[dict[str, torch.Tensor]]:
        """Each model's ``state_dict``, for ``GridCellNetwork.load_state_dict`` (copies)."""
        return [
            {name: self.weight(name)[m].detach().clone() for name in self.names}
            for m in range(self.n_models)
        ]

    def load_model(self, m: int, model: GridCellNetwork) -> GridCellNetwork:
        """Put model ``m``'s weights into the ordinary network ``model``; return it."""
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(self.weight(name)[m])
        return model

    def decay_weights(self, layers: str = "heads") -> list[torch.Tensor]:
        """The stacked weights the L2 term covers (see ``GridCellNetwork.decay_weights``)."""
        if layers not in DECAY_LAYERS:
            raise ValueError(f"layers must be one of {DECAY_LAYERS}, got {layers!r}")
        names = ["place_head.weight"] + (["hd_head.weight"] if self.use_hd else [])
        names += ["bottleneck.weight"] if layers == "heads+bottleneck" else []
        return [self.weight(n) for n in names]

    def head_parameters(self) -> list[nn.Parameter]:
        """The stacked read-out parameters (see ``GridCellNetwork.head_parameters``)."""
        return [self.weight(n) for n in self.names if n.startswith(HEADS)]

    def _linear(
        self, x: torch.Tensor, name: str, bias: bool = True, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """x (M, ..., in) @ W[m]^T (+ b[m]) for each model m -> (M, ..., out); ``mask`` (out, in)
        multiplies every model's W first (a sliced read-out's blocks)."""
        w = self.weight(f"{name}.weight")
        if mask is not None:
            w = w * mask
        flat = x.reshape(x.shape[0], -1, x.shape[-1])
        if bias:
            out = torch.baddbmm(self.weight(f"{name}.bias")[:, None], flat, w.transpose(1, 2))
        else:
            out = torch.bmm(flat, w.transpose(1, 2))
        return out.view(*x.shape[:-1], w.shape[1])

    def _batched_core(self) -> bool:
        if self.core_impl == "auto":
            return self.weight(self.names[0]).device.type != "cpu"
        return self.core_impl == "batched"

    def _core(self, velocity: torch.Tensor, init_code: torch.Tensor) -> torch.Tensor:
        """The recurrent core over time: (M, B, T, 3) -> hidden states (M, B, T, H).

        The same equations as ``nn.LSTM``/``nn.GRU``/``nn.RNN`` (gate order i, f, g, o and
        r, z, n), with one batched product per step for the recurrent weights; or, per model,
        PyTorch's fused kernel on that model's slice of the weights (see ``CORE_IMPLS``).
        """
        if not self._batched_core():
            return self._core_per_model(velocity, init_code)
        M, B, T, _ = velocity.shape
        H = self.n_hidden
        w_ih, w_hh = self.weight("core.weight_ih_l0"), self.weight("core.weight_hh_l0")
        b_ih, b_hh = self.weight("core.bias_ih_l0"), self.weight("core.bias_hh_l0")
        w_hh_t = w_hh.transpose(1, 2)  # (M, H, G)
        # The input projection of every step at once, laid out (M, T, B, G).
        x = velocity.transpose(1, 2).reshape(M, T * B, -1)
        in_bias = b_ih if self.core_name == "gru" else b_ih + b_hh
        xw = torch.baddbmm(in_bias[:, None], x, w_ih.transpose(1, 2)).view(M, T, B, -1)
        h = self._linear(init_code, "init_h")
        if self.core_name == "lstm":
            c = self._linear(init_code, "init_c")
            return _LSTMSequence.apply(xw, h, c, w_hh).permute(1, 2, 0, 3)
        # One view per step; unbind's backward stacks their gradients once (indexing xw[:, t]
        # would scatter each step's gradient into a zeroed copy of all of xw).
        xw = xw.unbind(1)
        outs = []
        if self.core_name == "gru":
            for t in range(T):
                gh = torch.baddbmm(b_hh[:, None], h, w_hh_t)
                gi = xw[t]
                rz = torch.sigmoid(gi[..., : 2 * H] + gh[..., : 2 * H])
                n = torch.tanh(gi[..., 2 * H :] + rz[..., :H] * gh[..., 2 * H :])
                z = rz[..., H:]
                h = (1 - z) * n + z * h
                outs.append(h)
        else:
            act = torch.relu if self.core_name == "rnn_relu" else torch.tanh
            for t in range(T):
                h = act(torch.baddbmm(xw[t], h, w_hh_t))
                outs.append(h)
        return torch.stack(outs, dim=2)

    def _core_per_model(self, velocity: torch.Tensor, init_code: torch.Tensor) -> torch.Tensor:
        h0 = self._linear(init_code, "init_h").unbind(0)
        c0 = self._linear(init_code, "init_c").unbind(0) if self.core_name == "lstm" else None
        # unbind: one backward that stacks the models' gradients (indexing would scatter each
        # into a zeroed copy of the whole stack).
        weights = [self.weight(n).unbind(0) for n in _CORE]
        outs = []
        for m in range(self.n_models):
            hx = [h0[m][None], c0[m][None]] if c0 is not None else h0[m][None]
            params = [w[m] for w in weights]
            fused = _FUSED[self.core_name]
            outs.append(fused(velocity[m], hx, params, True, 1, 0.0, self.training, False, True)[0])
        return torch.stack(outs)

    def forward(
        self,
        velocity: torch.Tensor,
        init_code: torch.Tensor,
        generators: Sequence[torch.Generator] | None = None,
    ) -> ModelOutput:
        """Run the M networks on velocities (M, B, T, 3) from initial codes (M, B, 268).

        ``generators`` (one per model, on the weights' device) draw each model's dropout mask;
        without them every mask comes from torch's global RNG, model after model.
        """
        if velocity.shape[0] != self.n_models or init_code.shape[0] != self.n_models:
            raise ValueError(
                f"inputs must have a leading axis of {self.n_models} models, got "
                f"{tuple(velocity.shape)} and {tuple(init_code.shape)}"
            )
        hidden = self._core(velocity, init_code)
        g = self._linear(hidden, "bottleneck", bias=False)
        dropped = g
        if (self.training or self.eval_dropout) and self.dropout > 0:
            gens = generators if generators is not None else [None] * self.n_models
            dropped = torch.stack(
                [dropout(g[m], self.dropout, gens[m]) for m in range(self.n_models)]
            )
        hd = self._linear(dropped, "hd_head") if self.use_hd else None
        return ModelOutput(self._linear(dropped, "place_head", mask=self.place_mask), hd, g, hidden)


# --------------------------------------------------------------------------------------------
# Data, loss and one training step with a leading model axis


def stack_trajectories(batches: Sequence[Trajectories]) -> Trajectories:
    """M batches of trajectories as one, every tensor with a leading model axis (M, B, ...)."""
    return Trajectories(
        *(torch.stack([getattr(b, f.name) for b in batches]) for f in fields(Trajectories))
    )


def unstack_output(out: ModelOutput, m: int) -> ModelOutput:
    """Model ``m``'s slice of a stacked forward pass."""
    parts = (getattr(out, f.name) for f in fields(ModelOutput))
    return ModelOutput(*(part[m] if part is not None else None for part in parts))


def unstack_step(res: Step, m: int) -> Step:
    """Model ``m``'s slice of what a stacked training step computed: its own step's values."""
    parts = (res.loss[m], res.place_loss[m], res.hd_loss[m], res.l2[m])
    return Step(*parts, unstack_output(res.out, m), res.lr)


def stacked_losses(
    net: StackedNetwork,
    ensembles: Ensembles,
    traj: Trajectories,
    generators: Sequence[torch.Generator] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, ModelOutput]:
    """Each model's place and HD cross-entropies (M,), each a mean over its batch x time
    (``task.output_losses``; HD: 0 without head-direction cells), and the stacked output."""
    out = net(model_inputs(net, traj), ensembles.initial_code(traj), generators)
    return (*output_losses(out, ensembles, traj, per_model=True), out)


def stacked_train_step(
    net: StackedNetwork,
    ensembles: Ensembles,
    settings: StepSettings,
    traj: Trajectories,
    step: int,
    generators: Sequence[torch.Generator] | None = None,
) -> Step:
    """One optimisation step of all M models (``task.train_step`` for each): the loss minimised
    is the sum of the models' losses, so each model's slice gets its own gradient. Every value
    of the returned step is one per model (M,). A model whose loss is not finite is the caller's
    to drop; its NaNs never reach the other slices."""
    forward = partial(stacked_losses, net, ensembles, traj, generators)
    return optimisation_step(net, forward, settings, step, per_model=True)


# --------------------------------------------------------------------------------------------
# Optimiser state: M ordinary optimisers' state stacked, and one model's slice read back


def _per_element(value, param: torch.Tensor) -> bool:
    return torch.is_tensor(value) and value.shape == param.shape


def stack_optimizer_states(
    opt: torch.optim.Optimizer, opts: Sequence[torch.optim.Optimizer], net: StackedNetwork
) -> None:
    """Load into ``opt`` (over ``net``) the state of M ordinary optimisers (one per model, over
    networks of the same shapes): buffers are stacked, counters (Adam's step) must agree."""
    states = [o.state_dict()["state"] for o in opts]
    if not any(states):
        return
    params = list(net.parameters())
    if any(s.keys() != states[0].keys() for s in states):
        raise GridcoreError("the stacked models' optimiser states cover different parameters")
    stacked: dict[int, dict] = {}
    for idx, first in states[0].items():
        stacked[idx] = {}
        for name, value in first.items():
            values = [s[idx][name] for s in states]
            if _per_element(value, params[idx][0]):
                stacked[idx][name] = torch.stack(values).to(params[idx].device)
            elif all(torch.equal(torch.as_tensor(v), torch.as_tensor(value)) for v in values):
                stacked[idx][name] = value
            else:
                raise GridcoreError(
                    f"the stacked models' optimiser states differ in {name!r} (they must resume "
                    "from the same step)"
                )
    opt.load_state_dict({"state": stacked, "param_groups": opt.state_dict()["param_groups"]})


class OptimizerView:
    """Model ``m``'s optimiser state inside an optimiser over a :class:`StackedNetwork`: what
    an ordinary optimiser over that model alone would hold (for ``runs.save_checkpoint``)."""

    def __init__(self, opt: torch.optim.Optimizer, net: StackedNetwork, m: int) -> None:
        self.opt, self.params, self.m = opt, list(net.parameters()), m

    def state_dict(self) -> dict:
        full = self.opt.state_dict()
        state = {
            idx: {
                name: value[self.m] if _per_element(value, self.params[idx]) else value
                for name, value in buffers.items()
            }
            for idx, buffers in full["state"].items()
        }
        return {"state": state, "param_groups": full["param_groups"]}


def make_generators(states: Sequence[torch.Tensor], device: torch.device) -> list[torch.Generator]:
    """One generator per model on ``device``, each set to the given RNG state."""
    gens = []
    for state in states:
        gen = torch.Generator(device=device)
        gen.set_state(state)
        gens.append(gen)
    return gens
