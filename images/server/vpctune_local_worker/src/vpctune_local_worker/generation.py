"""Token-by-token generation with a KV cache: greedy at temperature 0, else temperature and top-p sampling; stops at the
model's end-of-turn tokens, at ``max_tokens`` or at a stop string (which, as in OpenAI's API, is not returned).
Text comes out as deltas; a streamed response is the same deltas, so streaming and non-streaming texts are equal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch


@dataclass(frozen=True)
class Sampling:
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 16
    stop: tuple[str, ...] = ()
    seed: int | None = None


@dataclass
class Outcome:
    finish_reason: str = "length"
    completion_tokens: int = 0


def _pick(logits: torch.Tensor, s: Sampling, generator: torch.Generator | None) -> int:
    if s.temperature == 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits.float() / s.temperature, dim=-1)
    if s.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        keep = torch.cumsum(sorted_probs, dim=-1) - sorted_probs < s.top_p
        probs = torch.zeros_like(probs).scatter(0, order[keep], sorted_probs[keep])
    return int(torch.multinomial(probs / probs.sum(), 1, generator=generator))


def _held_back(text: str, stops: tuple[str, ...]) -> int:
    """How many trailing characters could start a stop string (not emitted until decided)."""
    hold = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), 0, -1):
            if text.endswith(stop[:n]):
                hold = max(hold, n)
                break
    return hold


def generate(model, tokenizer, input_ids: list[int], s: Sampling, eos_ids: set[int], outcome: Outcome) -> Iterator[str]:
    """Yields text deltas; fills ``outcome`` when done."""
    generator = torch.Generator().manual_seed(s.seed) if s.seed is not None else None
    ids = torch.tensor([input_ids], dtype=torch.long)
    past = None
    produced: list[int] = []
    emitted = 0
    with torch.no_grad():
        while len(produced) < s.max_tokens:
            out = model(input_ids=ids, past_key_values=past, use_cache=True)
            past = out.past_key_values
            token = _pick(out.logits[0, -1], s, generator)
            if token in eos_ids:
                outcome.finish_reason = "stop"
                break
            produced.append(token)
            text = tokenizer.decode(produced, skip_special_tokens=True)
            hits = [i for i in (text.find(st) for st in s.stop) if i >= 0]
            if hits:
                cut = min(hits)
                if cut > emitted:
                    yield text[emitted:cut]
                outcome.finish_reason = "stop"
                outcome.completion_tokens = len(produced)
                return
            # a partly decoded multi-byte character shows as U+FFFD: wait for the rest
            safe = len(text) - _held_back(text, s.stop)
            if text.endswith("\ufffd"):
                safe = min(safe, len(text) - 1)
            if safe > emitted:
                yield text[emitted:safe]
                emitted = safe
            ids = torch.tensor([[token]], dtype=torch.long)
    text = tokenizer.decode(produced, skip_special_tokens=True)
    if len(text) > emitted:
        yield text[emitted:]
    outcome.completion_tokens = len(produced)
