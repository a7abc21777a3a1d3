"""make-tiny-model: a tiny chat model built offline and loadable with from_pretrained."""

from __future__ import annotations

import torch
from trainer_testlib import run_cli


def test_make_tiny_model_cli_builds_loadable_chatml_model(tmp_path):
    """Given `make-tiny-model DIR --template chatml`, when it runs (no network), then DIR loads with
    AutoModelForCausalLM/AutoTokenizer.from_pretrained as a Qwen2 model with the ChatML template, the tokenizer
    round-trips text, and building it twice gives identical weights (deterministic)."""
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        proc = run_cli(["make-tiny-model", str(d), "--template", "chatml"])
        assert proc.returncode == 0, proc.stderr
    model = AutoModelForCausalLM.from_pretrained(a)
    tok = AutoTokenizer.from_pretrained(a)
    assert type(model).__name__ == "Qwen2ForCausalLM"
    assert model.config.vocab_size == len(tok) and model.config.num_hidden_layers == 2
    text = tok.apply_chat_template([{"role": "user", "content": "Hi there!"}], tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi there!<|im_end|>\n<|im_start|>assistant\n"
    assert tok.decode(tok("café, 12 + ünïcode", add_special_tokens=False)["input_ids"]) == "café, 12 + ünïcode"
    wa, wb = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
