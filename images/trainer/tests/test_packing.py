"""Packing: several examples per row, no padding, no attention across example boundaries."""

from __future__ import annotations

import json

import pytest
import torch
from conftest import FIXTURES

from vpctune_trainer.chat import encode_sft, load_tokenizer
from vpctune_trainer.packing import (build_schedule, collate_packed, epoch_order, naive_padded_batches, pack_row)

# fp32 on CPU: the packed (block-diagonal masked) and the one-example-at-a-time forward passes differ only by
# summation order inside the kernels.
LOGITS_ATOL = 1e-5


def _encoded(model_dir, file="sft-good.jsonl"):
    tok = load_tokenizer(model_dir)
    rows = [json.loads(l) for l in (FIXTURES / file).read_text().splitlines() if l.strip()]
    return tok, [encode_sft(tok, r["messages"]) for r in rows]


@pytest.mark.parametrize("which", ["tiny_llama3", "tiny_chatml"])
def test_packed_forward_equals_unpacked(which, request):
    """Given 6 examples of different lengths packed into one row (position ids restarting per example, no attention
    mask), when the model runs on the row and on each example alone, then every example's logits match within
    1e-5 (fp32), i.e. no token attends across an example boundary. use_cache=False as in training: transformers
    derives the block-diagonal mask from position ids only when there is no KV cache."""
    from transformers import AutoModelForCausalLM

    model_dir = request.getfixturevalue(which)
    tok, enc = _encoded(model_dir)
    extra = encode_sft(tok, [{"role": "user", "content": "Say a long thing."},
                             {"role": "assistant", "content": "The river runs past the stone castle " * 3}])
    examples = [enc[0], extra, enc[3], enc[5], enc[8], enc[13]]
    assert len({e.n_tokens for e in examples}) > 1
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="sdpa").eval()
    row = collate_packed([pack_row(examples)])
    with torch.no_grad():
        packed = model(input_ids=row["input_ids"], position_ids=row["position_ids"], use_cache=False).logits[0]
        start = 0
        for e in examples:
            alone = model(input_ids=torch.tensor([e.input_ids])).logits[0]
            got = packed[start:start + e.n_tokens]
            torch.testing.assert_close(got, alone, atol=LOGITS_ATOL, rtol=0)
            start += e.n_tokens
        # control: the same row with plain causal attention (one position range) does differ
        leaky = model(input_ids=row["input_ids"]).logits[0]
        assert (leaky[examples[0].n_tokens:] - packed[examples[0].n_tokens:]).abs().max() > 1e-3


def test_padding_fraction_against_naive_batching(tiny_llama3):
    """Given the good SFT file with a batch of 8 over 3 epochs, then packing pads at most 1% of tokens (here none),
    while naive padding to the longest example of each batch pads a measurable share of the same data."""
    tok, enc = _encoded(tiny_llama3)
    extra = encode_sft(tok, [{"role": "user", "content": "Say a long thing."},
                             {"role": "assistant", "content": "The river runs past the stone castle " * 6}])
    enc = enc + [extra, extra]
    sched = build_schedule(enc, batch_size=8, n_epochs=3, seed=1, world_size=1, tokens_per_row=16384,
                           pad_id=tok.pad_token_id)
    real = sum(sched.tokens_per_step)
    packed_fraction = sched.padding_tokens / (real + sched.padding_tokens)
    naive_real, naive_pad = naive_padded_batches(enc, 8, 3, 1)
    naive_fraction = naive_pad / (naive_real + naive_pad)
    assert real == naive_real == 3 * sum(e.n_tokens for e in enc)
    assert packed_fraction <= 0.01
    assert packed_fraction == 0.0
    assert naive_fraction > 0.1


def test_schedule_visits_every_example_once_per_epoch_and_splits_across_ranks(tiny_llama3):
    """Given 20 examples, a global batch of 6 and 2 processes, then there are ceil(20/6)=4 steps per epoch, each
    epoch is a seeded permutation, every step's examples are dealt to the 2 processes (3 each, 1 each in the last
    step), and each row holds whole examples with position ids restarting at 0."""
    tok, enc = _encoded(tiny_llama3)
    sched = build_schedule(enc, batch_size=6, n_epochs=2, seed=3, world_size=2, tokens_per_row=16384,
                           pad_id=tok.pad_token_id)
    assert (sched.steps_per_epoch, sched.total_steps, sched.rows_per_step) == (4, 8, 1)
    assert len(sched.rows) == 8 * 2
    assert sorted(epoch_order(20, 3, 0)) == list(range(20)) and epoch_order(20, 3, 0) != epoch_order(20, 3, 1)
    row = sched.rows[0]
    starts = [i for i, p in enumerate(row["position_ids"]) if p == 0]
    assert len(starts) == 3
    assert sum(sched.tokens_per_step[:4]) == sum(e.n_tokens for e in enc)


def test_micro_batches_when_a_step_exceeds_the_row_budget(tiny_llama3):
    """Given a row budget smaller than a step's tokens, then each process packs its share into several rows
    (gradient accumulation), the same number on every process, filling gaps with a one-token ignored dummy row."""
    tok, enc = _encoded(tiny_llama3)
    budget = max(e.n_tokens for e in enc) * 2
    sched = build_schedule(enc, batch_size=10, n_epochs=1, seed=0, world_size=2, tokens_per_row=budget,
                           pad_id=tok.pad_token_id)
    assert sched.rows_per_step >= 2
    assert len(sched.rows) == sched.total_steps * sched.rows_per_step * 2
    assert all(r["n_real"] <= budget for r in sched.rows)
    assert sum(sched.tokens_per_step) == sum(e.n_tokens for e in enc)
    dummies = [r for r in sched.rows if r["n_real"] == 0]
    assert all(r["labels"] == [-100] and r["input_ids"] == [tok.pad_token_id] for r in dummies)
