"""A CTGAN-family GAN whose generator and critic also see a context vector.

``ctgan.CTGAN`` conditions on one discrete column value only; a child table needs its
parent's context (several columns, numbers included) as input. This model reuses
ctgan's residual ``Generator`` and packed ``Discriminator`` (trained as a WGAN-GP
critic, as ctgan does) and feeds both ``[noise, context]`` and ``[row, context]`` respectively.
Randomness is explicit: training runs inside ``torch.random.fork_rng`` seeded from the
given seed, so the global torch RNG is left as it was.

Threads: training and sampling run on ``TRAIN_THREADS`` torch threads (restored after).
The networks are small (batches of a few hundred rows, 256-wide layers), so a second
OpenMP thread buys little on an idle machine, and on a busy one (tests running beside
us on 2 cores) spinning threads made each step 4-10x slower than one thread in
measurements on this project's machines (61 ms vs 637 ms per step, same run).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from ctgan.synthesizers.ctgan import Discriminator, Generator
from torch.nn import functional

from .codecs import Span

TRAIN_THREADS = 1
SAMPLE_CHUNK = 2048
"""Rows per generator forward pass when sampling. Small chunks keep each layer's
activations in cache: 196k rows through ctgan's 256-wide generator took 1.9 s in chunks
of 50,000 and 1.0 s in chunks of 4,096; through the folded generator, 0.92 s at 4,096 and
0.69 s at 2,048 (1,024: no better) on this project's machines, one thread."""
MIN_STEPS_PER_EPOCH = 3
"""A table smaller than a few batches still gets a few steps per epoch, else a 400-row
table trained 100 epochs would see 100 steps, too few to learn how its columns relate."""
MAX_STEPS_PER_EPOCH = 10
"""An epoch of a large table is capped at this many steps (5,000 rows at batch 500), so
training time per table is bounded on a CPU. Batches are drawn with replacement, so an
"epoch" is a round of steps, not a pass. On the shop benchmark (items 11.7k rows, 100
epochs) column-pair trends measured 0.811 capped vs 0.808 with full passes and column
shapes 0.992 both, with fit 225 s vs 367 s (two runs under similar load)."""


@contextmanager
def torch_threads(count: int = TRAIN_THREADS) -> Iterator[None]:
    """Run the block with ``count`` intra-op torch threads, restoring the previous number."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@dataclass(frozen=True)
class GanShape:
    """Sizes of the networks (saved with the weights)."""

    data_dim: int
    context_dim: int
    noise_dim: int = 64
    generator_dims: tuple[int, ...] = (256, 256)
    critic_dims: tuple[int, ...] = (256, 256)
    pac: int = 10


class ConditionalGan:
    """Generator ``G(noise, context) -> row`` trained against a critic ``D(row, context)``."""

    def __init__(self, spans: Sequence[Span], shape: GanShape) -> None:
        self.spans = list(spans)
        self.shape = shape
        self.generator = Generator(shape.noise_dim + shape.context_dim, shape.generator_dims,
                                   shape.data_dim)
        self._folded_cache: tuple[Generator, FoldedGenerator] | None = None
        """The generator folded for sampling, and the generator it was folded from."""

    def fit(
        self,
        data: np.ndarray,
        context: np.ndarray,
        *,
        epochs: int,
        batch_size: int,
        seed: int,
        on_epoch: object = None,
    ) -> None:
        """Train on ``data`` (rows x data_dim) with per-row ``context`` (rows x context_dim)."""
        shape = self.shape
        with torch.random.fork_rng(devices=[]), torch_threads():
            torch.manual_seed(seed)
            self.generator = Generator(shape.noise_dim + shape.context_dim,
                                       shape.generator_dims, shape.data_dim)
            critic = Discriminator(shape.data_dim + shape.context_dim, shape.critic_dims,
                                   pac=shape.pac)
            opt_g = torch.optim.Adam(self.generator.parameters(), lr=2e-4, betas=(0.5, 0.9),
                                     weight_decay=1e-6)
            opt_d = torch.optim.Adam(critic.parameters(), lr=2e-4, betas=(0.5, 0.9),
                                     weight_decay=1e-6)
            real_all = torch.as_tensor(data, dtype=torch.float32)
            ctx_all = torch.as_tensor(context, dtype=torch.float32)
            rows = real_all.shape[0]
            batch = max(shape.pac, min(batch_size, rows) // shape.pac * shape.pac)
            steps = min(MAX_STEPS_PER_EPOCH, max(MIN_STEPS_PER_EPOCH, rows // batch))
            rng = np.random.default_rng(seed)
            self.generator.train()
            for epoch in range(epochs):
                for _ in range(steps):
                    idx = torch.as_tensor(rng.integers(0, rows, size=batch))
                    real, ctx = real_all[idx], ctx_all[idx]
                    fake = self._activate(self._forward(ctx, batch), hard=False)
                    real_in = torch.cat([real, ctx], dim=1)
                    fake_in = torch.cat([fake, ctx], dim=1)
                    penalty = _gradient_penalty(critic, real_in, fake_in.detach(), shape.pac)
                    loss_d = critic(fake_in.detach()).mean() - critic(real_in).mean()
                    opt_d.zero_grad(set_to_none=False)
                    (loss_d + penalty).backward()
                    opt_d.step()

                    fake = self._activate(self._forward(ctx, batch), hard=False)
                    loss_g = -critic(torch.cat([fake, ctx], dim=1)).mean()
                    opt_g.zero_grad(set_to_none=False)
                    loss_g.backward()
                    opt_g.step()
                if callable(on_epoch):
                    on_epoch(epoch)
            self.generator.eval()

    @torch.no_grad()
    def sample(self, context: np.ndarray, *, seed: int, chunk: int = SAMPLE_CHUNK,
               hidden_dtype: torch.dtype = torch.float32) -> np.ndarray:
        """One generated row per context row: linear spans raw, softmax spans as probabilities.

        ``hidden_dtype``: see :class:`FoldedGenerator` and :func:`sampling_dtype`.
        """
        gen = torch.Generator().manual_seed(seed)
        ctx_all = torch.as_tensor(context, dtype=torch.float32)
        fast = self._folded(hidden_dtype)
        buffers: dict[tuple[str, int], torch.Tensor] = {}
        parts = []
        with torch_threads():
            for start in range(0, ctx_all.shape[0], chunk):
                ctx = ctx_all[start : start + chunk]
                noise = torch.randn(ctx.shape[0], self.shape.noise_dim, generator=gen)
                parts.append(self._probabilities(fast(noise, ctx, buffers=buffers)))
        if not parts:
            return np.zeros((0, self.shape.data_dim))
        return torch.cat(parts).numpy().astype("float64")

    def _folded(self, hidden_dtype: torch.dtype) -> FoldedGenerator:
        # Folding takes ~30 ms: done once per trained (or loaded) generator, not per block.
        cached = self._folded_cache
        if cached is None or cached[0] is not self.generator or cached[1].hidden_dtype != hidden_dtype:
            cached = (self.generator, FoldedGenerator(
                self.generator, (self.shape.noise_dim, self.shape.context_dim),
                hidden_dtype=hidden_dtype))
            self._folded_cache = cached
        return cached[1]

    def _forward(self, ctx: torch.Tensor, n: int) -> torch.Tensor:
        noise = torch.randn(n, self.shape.noise_dim)
        return self.generator(torch.cat([noise, ctx], dim=1))

    def _activate(self, raw: torch.Tensor, *, hard: bool) -> torch.Tensor:
        parts, start = [], 0
        for width, activation in self.spans:
            block = raw[:, start : start + width]
            if activation == "softmax":
                block = functional.gumbel_softmax(block, tau=0.2, hard=hard)
            parts.append(block)
            start += width
        return torch.cat(parts, dim=1)

    def _probabilities(self, raw: torch.Tensor) -> torch.Tensor:
        parts, start = [], 0
        for width, activation in self.spans:
            block = raw[:, start : start + width]
            parts.append(torch.softmax(block, dim=1) if activation == "softmax" else block)
            start += width
        return torch.cat(parts, dim=1)


class FoldedGenerator:
    """ctgan's ``Generator`` in eval mode, rewritten for sampling: same outputs, less work.

    Each residual layer is ``relu(bn(fc(x)))`` followed by ``cat([out, x])``, so a layer's
    input is every earlier output and the noise and context. Here BatchNorm (an affine
    map in eval mode) is folded into the preceding Linear, and the concatenations are
    never made: one wide buffer ``[h_k .. h_1 | inputs]`` is allocated, each layer reads
    the columns right of its slot as one matrix and writes its output into the slot. The
    output layer's weight is used as a transposed view of the ``(out, in)`` matrix: for
    narrow outputs (a dozen columns) MKL runs that 2.7x faster than a contiguous
    ``(in, out)`` matrix on this project's machines.

    ``hidden_dtype=torch.bfloat16`` runs the residual layers in bfloat16 (float32
    accumulation inside oneDNN); the output layer stays float32, so the values it emits
    keep their precision and differ from float32 ones only by the hidden layers'
    rounding (relative ~0.3%). On CPUs with bfloat16 instructions (AVX512-BF16, AMX) it
    cuts the products' time by ~40% (measured 4.9 -> 3.1 ms per 2,048 rows here, one
    thread); elsewhere bfloat16 is emulated and slower, see :func:`sampling_dtype`.
    """

    def __init__(self, generator: Generator, input_widths: Sequence[int], *,
                 hidden_dtype: torch.dtype = torch.float32) -> None:
        layers = list(generator.seq)
        self.hidden_dtype = hidden_dtype
        self.input_width = sum(input_widths)
        self.hidden: list[tuple[torch.Tensor, torch.Tensor]] = []
        """Per residual layer: folded weight as (in, out), bias."""
        with torch.no_grad():
            for layer in layers[:-1]:
                bn = layer.bn
                scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
                weight = layer.fc.weight * scale[:, None]
                bias = (layer.fc.bias - bn.running_mean) * scale + bn.bias
                self.hidden.append((weight.t().contiguous().to(hidden_dtype),
                                    bias.clone().to(hidden_dtype)))
            final = layers[-1]
            self.out_weight = final.weight.detach().clone()
            self.out_bias = final.bias.detach().clone()
        self.width = self.input_width + sum(w.shape[1] for w, _ in self.hidden)

    def __call__(self, *inputs: torch.Tensor,
                 buffers: dict[tuple[str, int], torch.Tensor] | None = None) -> torch.Tensor:
        """The generator's output for ``torch.cat(inputs, dim=1)`` (float32 inputs).

        ``buffers`` (owned by the caller, one dict per sampling run) lets a call reuse the
        buffers of the previous call of the same size; the output is then valid until
        the next call with the same dict.
        """
        buffers = {} if buffers is None else buffers
        rows = inputs[0].shape[0]

        def buffer(name: str, width: int, dtype: torch.dtype) -> torch.Tensor:
            # Kept from the previous call of the same size: fresh multi-megabyte tensors
            # per chunk cost as much in page faults as the products themselves.
            found = buffers.get((name, rows))
            if found is None:
                found = buffers[(name, rows)] = torch.empty(rows, width, dtype=dtype)
            return found

        wide = buffer("wide", self.width, self.hidden_dtype)
        start = self.width - self.input_width
        at = start
        for piece in inputs:
            wide[:, at : at + piece.shape[1]].copy_(piece)
            at += piece.shape[1]
        for weight, bias in self.hidden:
            slot = wide[:, start - weight.shape[1] : start]
            torch.addmm(bias, wide[:, start:], weight, out=slot)
            slot.relu_()
            start -= weight.shape[1]
        if self.hidden_dtype != torch.float32:
            wide = buffer("wide32", self.width, torch.float32).copy_(wide)
        out = buffer("out", self.out_weight.shape[0], torch.float32)
        return torch.addmm(self.out_bias, wide, self.out_weight.t(), out=out)


def sampling_dtype(precision: str = "auto") -> torch.dtype:
    """The dtype of the generator's hidden layers when sampling.

    ``"auto"``: bfloat16 on CPUs with bfloat16 instructions (AVX512-BF16, AMX) when torch
    has oneDNN, else float32; ``"float32"``: always float32 (rows then repeat exactly on CPUs of other
    kinds as far as float32 kernels do).
    """
    if precision == "float32":
        return torch.float32
    return torch.bfloat16 if _native_bfloat16() else torch.float32


@functools.cache
def _native_bfloat16() -> bool:
    # Only CPUs with bfloat16 instructions (x86 AVX512-BF16 or AMX): oneDNN also "supports"
    # bfloat16 on plain AVX-512 by emulation, which is slower than float32 there.
    try:
        return torch.backends.mkldnn.is_available() and bool(
            torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except (AttributeError, RuntimeError):  # a torch build without these probes
        return False


def _gradient_penalty(critic: Discriminator, real: torch.Tensor, fake: torch.Tensor, pac: int,
                      weight: float = 10.0) -> torch.Tensor:
    """WGAN-GP penalty on points between real and fake packs (one mix ratio per pack).

    ctgan's own version needs ``fake`` to carry the generator's graph; here the
    interpolates are made leaves so the critic step never touches the generator.
    """
    alpha = torch.rand(real.size(0) // pac, 1, 1).repeat(1, pac, real.size(1)).view(-1, real.size(1))
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(mixed)
    grads = torch.autograd.grad(scores, mixed, torch.ones_like(scores), create_graph=True)[0]
    norms = grads.view(-1, pac * real.size(1)).norm(2, dim=1)
    return ((norms - 1) ** 2).mean() * weight
