"""Batching and packing for supervised fine-tuning.

An optimizer step takes ``batch_size`` examples (the global batch, across all processes). Each epoch visits the
examples in a seeded random order (``epoch_order``); steps per epoch = ceil(examples / batch_size), the last batch
may be smaller. A step's examples are dealt round-robin to the processes, and each process packs its share into
the fewest rows of at most ``row_tokens`` tokens (or the longest example, if longer), balancing the rows' lengths
(longest example first onto the shortest row).

A row is the concatenation of whole examples with ``position_ids`` restarting at 0 for every example and no
attention mask: transformers turns that into varlen flash-attention on GPU and an exact block-diagonal causal mask
with SDPA/eager elsewhere, so no token attends across an example boundary.

Rows are stacked ``rows_per_micro_batch`` at a time into micro-batches (gradient accumulation over as many as a
step needs; every process runs the same number). Rows of a micro-batch are padded at the end to the longest row
(pad token, ignored label, positions continuing the last example: causal attention means nothing real sees them).
With flash-attention the plan uses one long row per micro-batch (no padding at all, attention cost linear in the
examples' lengths); with SDPA on CPU it uses shorter rows stacked in a batch, since the dense block-diagonal mask
costs the square of the row length. Slots a process does not need (fewer examples than processes, fewer rows than
the step's micro-batches hold) are one-token dummy rows whose label is ignored.
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


def balanced_bins(lengths: dict[int, int], capacity: int) -> list[list[int]]:
    """The fewest rows of at most ``capacity`` tokens that hold the examples, with lengths balanced across rows
    (longest first onto the least-loaded row), so that stacking the rows needs little end-of-row padding."""
    if not lengths:
        return []
    total = sum(lengths.values())
    k = max(1, -(-total // capacity))
    while True:
        bins: list[list[int]] = [[] for _ in range(k)]
        load = [0] * k
        for idx in sorted(lengths, key=lambda i: (-lengths[i], i)):
            b = min(range(k), key=lambda j: (load[j], j))
            bins[b].append(idx)
            load[b] += lengths[idx]
        if max(load) <= capacity:
            _even_out(bins, load, lengths, capacity)
            return [b for b in bins if b]
        k += 1


def _even_out(bins: list[list[int]], load: list[int], lengths: dict[int, int], capacity: int, rounds: int = 64):
    """Moves or swaps examples between the longest and the shortest row while that narrows their gap (stacked rows
    are padded to the longest, so the gap is padding)."""
    for _ in range(rounds):
        h = max(range(len(bins)), key=lambda j: (load[j], -j))
        lo = min(range(len(bins)), key=lambda j: (load[j], j))
        gap = load[h] - load[lo]
        if gap <= 0:
            return
        best = None  # (new gap, x from h, y from lo or None)
        for x in bins[h]:
            d = lengths[x]
            if 0 < d < gap and load[lo] + d <= capacity:
                cand = abs(gap - 2 * d)
                if best is None or cand < best[0]:
                    best = (cand, x, None)
            for y in bins[lo]:
                d = lengths[x] - lengths[y]
                if 0 < d < gap and load[lo] + d <= capacity:
                    cand = abs(gap - 2 * d)
                    if best is None or cand < best[0]:
                        best = (cand, x, y)
        if best is None or best[0] >= gap:
            return
        _, x, y = best
        bins[h].remove(x)
        bins[lo].append(x)
        load[h] -= lengths[x]
        load[lo] += lengths[x]
        if y is not None:
            bins[lo].remove(y)
            bins[h].append(y)
            load[lo] -= lengths[y]
            load[h] += lengths[y]


def pack_row(examples: list[Encoded]) -> dict:
    ids, labels, pos = [], [], []
    for e in examples:
        ids.extend(e.input_ids)
        labels.extend(e.labels)
        pos.extend(range(len(e.input_ids)))
    return {"input_ids": ids, "labels": labels, "position_ids": pos, "n_real": len(ids)}


def dummy_row(pad_id: int) -> dict:
    return {"input_ids": [pad_id], "labels": [IGNORE], "position_ids": [0], "n_real": 0}


def stack_rows(rows: list[dict], pad_id: int) -> dict:
    """A micro-batch: rows padded at the end to the longest (positions continue, labels ignored)."""
    n = max(len(r["input_ids"]) for r in rows)
    out = {"input_ids": [], "labels": [], "position_ids": [], "n_real": 0, "n_pad": 0}
    for r in rows:
        k = n - len(r["input_ids"])
        last = r["position_ids"][-1]
        out["input_ids"].append(r["input_ids"] + [pad_id] * k)
        out["labels"].append(r["labels"] + [IGNORE] * k)
        out["position_ids"].append(r["position_ids"] + list(range(last + 1, last + 1 + k)))
        out["n_real"] += r["n_real"]
        out["n_pad"] += n - r["n_real"]
    return out


@dataclass
class Schedule:
    micro_batches: list[dict]  # dataset order: ((step * accumulation) + a) * world_size + rank
    total_steps: int
    steps_per_epoch: int
    accumulation: int  # micro-batches per process per optimizer step (gradient accumulation steps)
    rows_per_micro_batch: int
    tokens_per_step: list[int]  # real tokens per optimizer step, all processes
    padding_tokens: int  # pad and dummy tokens fed to the model

    @property
    def padding_fraction(self) -> float:
        real = sum(self.tokens_per_step)
        return self.padding_tokens / (real + self.padding_tokens)


def build_schedule(encoded: list[Encoded], batch_size: int, n_epochs: int, seed: int, world_size: int,
                   row_tokens: int, rows_per_micro_batch: int, pad_id: int) -> Schedule:
    n = len(encoded)
    batches = global_batches(n, batch_size, n_epochs, seed)
    capacity = max(row_tokens, max(e.n_tokens for e in encoded))
    per_step = []  # per step, per rank: list of rows
    most_rows = 1
    for batch in batches:
        ranks = []
        for r in range(world_size):
            share = batch[r::world_size]
            bins = balanced_bins({i: encoded[i].n_tokens for i in share}, capacity)
            ranks.append([pack_row([encoded[i] for i in b]) for b in bins])
            most_rows = max(most_rows, len(bins))
        per_step.append(ranks)
    M = max(1, min(rows_per_micro_batch, most_rows))
    A = -(-most_rows // M)
    micro, tokens, pad = [], [], 0
    for ranks in per_step:
        grid = [[None] * world_size for _ in range(A)]
        for r, rows in enumerate(ranks):
            for a in range(A):
                chunk = rows[a * M:(a + 1) * M] or [dummy_row(pad_id)]
                mb = stack_rows(chunk, pad_id)
                pad += mb["n_pad"]
                grid[a][r] = mb
        for a in range(A):
            micro.extend(grid[a])
        tokens.append(sum(row["n_real"] for rows in ranks for row in rows))
    return Schedule(micro_batches=micro, total_steps=len(batches), steps_per_epoch=steps_per_epoch(n, batch_size),
                    accumulation=A, rows_per_micro_batch=M, tokens_per_step=tokens, padding_tokens=pad)


def eval_micro_batches(encoded: list[Encoded], row_tokens: int, rows_per_micro_batch: int, world_size: int,
                       pad_id: int) -> list[list[dict]]:
    """Validation micro-batches per process; every process gets the same number (dummy rows fill the gaps)."""
    capacity = max(row_tokens, max(e.n_tokens for e in encoded))
    bins = balanced_bins({i: e.n_tokens for i, e in enumerate(encoded)}, capacity)
    rows = [pack_row([encoded[i] for i in b]) for b in bins]
    M = max(1, rows_per_micro_batch)
    per_rank = [[stack_rows(rows[k:k + M], pad_id) for k in range(r * M, len(rows), world_size * M)]
                for r in range(world_size)]
    most = max(len(x) for x in per_rank)
    for x in per_rank:
        x.extend(stack_rows([dummy_row(pad_id)], pad_id) for _ in range(most - len(x)))
    return per_rank


def collate_packed(features: list[dict]) -> dict:
    """Tensors for one micro-batch (a dataset item from stack_rows) or for a list of equal-length rows."""
    import torch

    if len(features) == 1 and isinstance(features[0]["input_ids"][0], list):
        item = features[0]
        out = {k: torch.tensor(item[k], dtype=torch.long) for k in ("input_ids", "labels", "position_ids")}
    else:
        out = {k: torch.tensor([f[k] for f in features], dtype=torch.long)
               for k in ("input_ids", "labels", "position_ids")}
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
