"""Batching and packing for supervised fine-tuning.

An optimizer step takes ``batch_size`` examples (the global batch, across all processes). Each epoch visits the
examples in a seeded random order (``epoch_order``); steps per epoch = ceil(examples / batch_size), the last batch
may be smaller. A step's examples are dealt round-robin to the processes, and each process packs its share into
``G`` rows (gradient-accumulation micro-batches) of at most ``tokens_per_row`` tokens, first-fit decreasing.
A row is the concatenation of whole examples with ``position_ids`` restarting at 0 for every example and no
attention mask: transformers turns that into varlen flash-attention on GPU and an exact block-diagonal causal mask
with SDPA/eager elsewhere, so no token attends across an example boundary and there is no padding at all. Rows a
process does not need for a step (fewer examples than processes, or fewer rows than ``G``) are a single pad token
whose label is ignored, so every process runs the same number of forward passes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .chat import IGNORE, Encoded


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    import torch

    g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(n, generator=g).tolist()


def global_batches(n: int, batch_size: int, n_epochs: int, seed: int) -> list[list[int]]:
    out = []
    for e in range(n_epochs):
        order = epoch_order(n, seed, e)
        out.extend(order[i: i + batch_size] for i in range(0, n, batch_size))
    return out


def steps_per_epoch(n: int, batch_size: int) -> int:
    return math.ceil(n / batch_size)


def first_fit_decreasing(lengths: dict[int, int], capacity: int) -> list[list[int]]:
    bins: list[list[int]] = []
    room: list[int] = []
    for idx in sorted(lengths, key=lambda i: (-lengths[i], i)):
        for b, r in enumerate(room):
            if lengths[idx] <= r:
                bins[b].append(idx)
                room[b] -= lengths[idx]
                break
        else:
            bins.append([idx])
            room.append(capacity - lengths[idx])
    return bins


def pack_row(examples: list[Encoded]) -> dict:
    ids, labels, pos = [], [], []
    for e in examples:
        ids.extend(e.input_ids)
        labels.extend(e.labels)
        pos.extend(range(len(e.input_ids)))
    return {"input_ids": ids, "labels": labels, "position_ids": pos, "n_real": len(ids)}


def dummy_row(pad_id: int) -> dict:
    return {"input_ids": [pad_id], "labels": [IGNORE], "position_ids": [0], "n_real": 0}


@dataclass
class Schedule:
    rows: list[dict]  # dataset order: ((step * G) + g) * world_size + rank
    total_steps: int
    steps_per_epoch: int
    rows_per_step: int  # G, the gradient-accumulation steps
    tokens_per_step: list[int]  # real (non-dummy) tokens per optimizer step, all processes
    padding_tokens: int  # dummy-row tokens (0 unless processes or rows outnumber examples)


def build_schedule(encoded: list[Encoded], batch_size: int, n_epochs: int, seed: int, world_size: int,
                   tokens_per_row: int, pad_id: int) -> Schedule:
    n = len(encoded)
    batches = global_batches(n, batch_size, n_epochs, seed)
    capacity = max(tokens_per_row, max(e.n_tokens for e in encoded))
    per_step = []  # per step: per rank: list of bins (lists of example indices)
    G = 1
    for batch in batches:
        ranks = []
        for r in range(world_size):
            share = batch[r::world_size]
            bins = first_fit_decreasing({i: encoded[i].n_tokens for i in share}, capacity) if share else []
            G = max(G, len(bins))
            ranks.append(bins)
        per_step.append(ranks)
    rows, tokens, pad = [], [], 0
    for ranks in per_step:
        step_tokens = 0
        grid = [[None] * world_size for _ in range(G)]
        for r, bins in enumerate(ranks):
            for g in range(G):
                if g < len(bins):
                    row = pack_row([encoded[i] for i in bins[g]])
                    step_tokens += row["n_real"]
                else:
                    row = dummy_row(pad_id)
                    pad += 1
                grid[g][r] = row
        for g in range(G):
            rows.extend(grid[g])
        tokens.append(step_tokens)
    return Schedule(rows=rows, total_steps=len(batches), steps_per_epoch=steps_per_epoch(n, batch_size),
                    rows_per_step=G, tokens_per_step=tokens, padding_tokens=pad)


def eval_rows(encoded: list[Encoded], tokens_per_row: int, world_size: int, pad_id: int) -> list[list[dict]]:
    """Validation rows per process; every process gets the same number of rows (dummy rows fill the gaps)."""
    capacity = max(tokens_per_row, max(e.n_tokens for e in encoded))
    bins = first_fit_decreasing({i: e.n_tokens for i, e in enumerate(encoded)}, capacity)
    per_rank = [[pack_row([encoded[i] for i in b]) for b in bins[r::world_size]] for r in range(world_size)]
    most = max(len(x) for x in per_rank)
    for x in per_rank:
        x.extend(dummy_row(pad_id) for _ in range(most - len(x)))
    return per_rank


def collate_packed(features: list[dict]) -> dict:
    import torch

    out = {k: torch.tensor([f[k] for f in features], dtype=torch.long) for k in ("input_ids", "labels", "position_ids")}
    # transformers builds the block-diagonal mask from position_ids only without a KV cache
    out["use_cache"] = False
    return out


def naive_padded_batches(encoded: list[Encoded], batch_size: int, n_epochs: int, seed: int) -> tuple[int, int]:
    """(real tokens, padding tokens) of naive batching: every batch padded to its longest example."""
    real = pad = 0
    for batch in global_batches(len(encoded), batch_size, n_epochs, seed):
        lens = [encoded[i].n_tokens for i in batch]
        real += sum(lens)
        pad += max(lens) * len(lens) - sum(lens)
    return real, pad
