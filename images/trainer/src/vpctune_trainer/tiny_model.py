"""A tiny randomly initialised chat model and tokenizer, built offline (no model hub).

``llama3`` builds a Llama-architecture model with the real Llama 3 Instruct chat template; ``chatml`` builds a
Qwen2-architecture model with Qwen2's ChatML template. Both load with ``AutoModelForCausalLM.from_pretrained(DIR)``
and ``AutoTokenizer.from_pretrained(DIR)``. The tokenizer is a byte-level BPE trained on built-in text, so every
string is encodable and the result is deterministic.
"""

from __future__ import annotations

import os

LLAMA3_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim"
    " + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)

CHATML_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

TEMPLATES = {
    "llama3": {
        "chat_template": LLAMA3_TEMPLATE,
        "special": ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                    "<|eot_id|>", "<|pad|>"],
        "bos": "<|begin_of_text|>", "eos": "<|eot_id|>", "pad": "<|pad|>",
        "arch": "llama",
    },
    "chatml": {
        "chat_template": CHATML_TEMPLATE,
        "special": ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        "bos": None, "eos": "<|im_end|>", "pad": "<|endoftext|>",
        "arch": "qwen2",
    },
}

_CORPUS = """
The quick brown fox jumps over the lazy dog. A journey of a thousand miles begins with a single step.
You are a helpful assistant. You are a concise assistant. Describe the apple. The apple is red.
What is the capital of France? The capital of France is Paris. Please answer in one sentence.
Fine-tuning adapts a pretrained language model to a task with a small dataset of examples.
The river runs past the stone castle; the tiger sleeps in the forest; the rocket flies above the clouds.
Numbers: 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 100 1000. Colors: red, blue, green, yellow, purple.
Say something kind about the garden. The garden is wonderful and bright. No. Yes. Thank you! Hello, world.
system user assistant tool function JSON {"role": "user", "content": "hi"} [1, 2, 3] a-b-c x=y; (ok) 'quote'
piano lemon candle silver window bottle dragon pencil island winter basket cloud stone river apple tiger
"""


def _train_tokenizer(special: list[str], vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=1,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    lines = [l for l in _CORPUS.strip().splitlines()] * 3
    tok.train_from_iterator(lines, trainer=trainer)
    return tok


def make_tiny_model(out_dir: str, template: str = "llama3", vocab_size: int = 1024, hidden_size: int = 64,
                    layers: int = 2, seed: int = 0, lm_head_std: float = 0.2) -> str:
    import torch
    from transformers import PreTrainedTokenizerFast

    if template not in TEMPLATES:
        raise ValueError(f"template must be one of {', '.join(TEMPLATES)}, got {template!r}")
    t = TEMPLATES[template]
    os.makedirs(out_dir, exist_ok=True)
    raw = _train_tokenizer(t["special"], vocab_size)
    kwargs = {"eos_token": t["eos"], "pad_token": t["pad"]}
    if t["bos"]:
        kwargs["bos_token"] = t["bos"]
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=raw, **kwargs)
    tokenizer.chat_template = t["chat_template"]
    tokenizer.model_max_length = 1024
    tokenizer.save_pretrained(out_dir)

    common = dict(
        vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=hidden_size * 2,
        num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
        tie_word_embeddings=False, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, rms_norm_eps=1e-6, initializer_range=0.02,
    )
    torch.manual_seed(seed)
    if t["arch"] == "llama":
        from transformers import LlamaConfig, LlamaForCausalLM
        model = LlamaForCausalLM(LlamaConfig(**common))
    else:
        from transformers import Qwen2Config, Qwen2ForCausalLM
        model = Qwen2ForCausalLM(Qwen2Config(**common))
    # A wider output layer than initializer_range: the final RMSNorm fixes the hidden state's scale and LoRA
    # ("all-linear") does not touch lm_head, so with std 0.02 no adapter could move the logits far from uniform.
    with torch.no_grad():
        model.lm_head.weight.normal_(0.0, lm_head_std, generator=torch.Generator().manual_seed(seed + 1))
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out_dir, safe_serialization=True)
    return out_dir
