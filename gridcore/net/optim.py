"""Optimisers, gradient clipping and weight decay as the paper and DeepMind's code use them.

TensorFlow 1's ``RMSPropOptimizer`` (which DeepMind trained with) is not ``torch.optim.RMSprop``:

    ms  <- decay * ms + (1 - decay) * g^2          ms starts at 1, not 0
    mom <- momentum * mom + lr * g / sqrt(ms + eps)  eps inside the square root
    w   <- w - mom                                  momentum acts on the already-scaled step

PyTorch starts ``ms`` at 0 and adds eps outside the root, and its momentum buffer holds the
unscaled step. With gradients clipped to 1e-5 these differences matter. With ``ms`` starting at
1 the first updates are tiny (a built-in warm-up). Once ``ms`` has decayed to g^2 for a steady
gradient g, one step is lr * g / sqrt(g^2 + eps), and momentum 0.9 multiplies that by up to
1 / (1 - 0.9) = 10. Because eps = 1e-10 sits inside the root, the steady step still depends on
the gradient's size: about 7.07 lr for g = 1e-5 (10 / sqrt(2)), 1.0 lr for g = 1e-6 and
0.1 lr for g = 1e-7. :func:`update_sizes` measures this.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

OPTIMIZERS = ("tf1_rmsprop", "torch_rmsprop", "adam", "sgd")


class TF1RMSprop(torch.optim.Optimizer):
    """RMSProp with TensorFlow 1 semantics (see the module docstring)."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-5,
        decay: float = 0.9,
        momentum: float = 0.9,
        eps: float = 1e-10,
        initial_ms: float = 1.0,
    ) -> None:
        if lr <= 0 or not 0 <= decay < 1 or not 0 <= momentum < 1 or eps < 0:
            raise ValueError(
                f"invalid RMSProp settings lr={lr}, decay={decay}, momentum={momentum}, eps={eps}"
            )
        defaults = dict(lr=lr, decay=decay, momentum=momentum, eps=eps, initial_ms=initial_ms)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):  # noqa: D102 - torch API
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["ms"] = torch.full_like(p, group["initial_ms"])
                    state["mom"] = torch.zeros_like(p)
                ms, mom, g = state["ms"], state["mom"], p.grad
                ms.mul_(group["decay"]).addcmul_(g, g, value=1 - group["decay"])
                mom.mul_(group["momentum"]).addcdiv_(
                    g, ms.add(group["eps"]).sqrt_(), value=group["lr"]
                )
                p.sub_(mom)
        return loss


def make_optimizer(
    name: str,
    params: Iterable[torch.Tensor],
    lr: float,
    momentum: float = 0.9,
    decay: float = 0.9,
    eps: float = 1e-10,
) -> torch.optim.Optimizer:
    """Build an optimiser by name: ``tf1_rmsprop`` (DeepMind), ``torch_rmsprop``, ``adam`` or
    ``sgd`` (with ``momentum``)."""
    if name == "tf1_rmsprop":
        return TF1RMSprop(params, lr=lr, decay=decay, momentum=momentum, eps=eps)
    if name == "torch_rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=decay, momentum=momentum, eps=eps)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    raise ValueError(f"unknown optimizer {name!r}; choose one of: {OPTIMIZERS}")


def clip_gradients(params: Iterable[torch.Tensor], clip: float) -> None:
    """Clip every gradient element to [-clip, clip] (DeepMind clips by value); 0 disables."""
    if clip > 0:
        torch.nn.utils.clip_grad_value_(list(params), clip)


def l2_penalty(
    weights: Iterable[torch.Tensor], weight_decay: float, per_model: bool = False
) -> torch.Tensor:
    """TensorFlow's l2_regularizer: weight_decay * sum(w^2) / 2 over the given weights. With
    ``per_model`` the weights carry a leading model axis (M stacked networks) and the sum runs
    within each model: one term per model (M,)."""
    return weight_decay * 0.5 * sum(_sum_of_squares(w, per_model) for w in weights)


def _sum_of_squares(w: torch.Tensor, per_model: bool) -> torch.Tensor:
    """sum(w^2) over all of ``w``, or over all but its leading model axis (M,)."""
    return (w**2).flatten(1).sum(dim=1) if per_model else (w**2).sum()


@torch.no_grad()
def update_sizes(
    name: str,
    grads: torch.Tensor,
    lr: float,
    momentum: float = 0.9,
    decay: float = 0.9,
    eps: float = 1e-10,
) -> torch.Tensor:
    """Feed a sequence of gradients to optimiser ``name`` and record the size of each update.

    ``grads`` is (steps, n): the gradient of n independent scalar weights at each step. Returns
    (steps, n) absolute weight changes. A way to compare optimisers' step sizes directly, e.g.
    for gradients that sit at the 1e-5 clip.
    """
    if grads.ndim != 2:
        raise ValueError(f"grads must be (steps, n), got shape {tuple(grads.shape)}")
    w = torch.nn.Parameter(torch.zeros(grads.shape[1], dtype=torch.float64))
    opt = make_optimizer(name, [w], lr, momentum, decay, eps)
    sizes = torch.empty(grads.shape, dtype=torch.float64)
    for t, g in enumerate(grads.to(torch.float64)):
        before = w.detach().clone()
        w.grad = g.clone()
        opt.step()
        sizes[t] = (w.detach() - before).abs()
    return sizes
