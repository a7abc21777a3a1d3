"""Chat-template tokenization with loss on assistant tokens only.

No ``{% generation %}`` markers are needed (real Llama 3 and Qwen templates have none). For each assistant message
``i`` the conversation is rendered twice with the model's own template: ``messages[:i]`` with the generation prompt
(the text before the answer) and ``messages[:i+1]`` (the text up to and including the answer). The characters in
between are the assistant's turn: its content plus whatever the template closes the turn with (``<|eot_id|>`` for
Llama 3, ``<|im_end|>\\n`` for ChatML). The whole conversation is tokenized once with offsets, and a token is
labelled when it starts inside an assistant span. Templates that do not render a conversation's prefixes as
prefixes of the whole conversation are refused rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

IGNORE = -100


class TemplateError(ValueError):
    pass


@dataclass
class Encoded:
    input_ids: list[int]
    labels: list[int]

    @property
    def n_tokens(self) -> int:
        return len(self.input_ids)

    @property
    def n_label_tokens(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE)


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    if not getattr(tok, "is_fast", False):
        raise TemplateError(f"the tokenizer in {path} is not a fast tokenizer; offsets are needed for loss masking")
    if not tok.chat_template:
        raise TemplateError(f"the tokenizer in {path} has no chat template")
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    return tok


def render(tok, messages: list[dict], add_generation_prompt: bool = False) -> str:
    return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)


def assistant_spans(tok, messages: list[dict]) -> tuple[str, list[tuple[int, int]]]:
    full = render(tok, messages)
    spans = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        before = render(tok, messages[:i], add_generation_prompt=True) if i > 0 else None
        upto = render(tok, messages[: i + 1])
        if before is None:
            # an assistant message first: the generation prompt alone is the text before it
            before = upto[: upto.rfind(m["content"].strip())] if m["content"].strip() else upto
        if not (full.startswith(upto) and upto.startswith(before)):
            raise TemplateError(
                f"the chat template does not render messages[:{i + 1}] as a prefix of the conversation; "
                "assistant tokens cannot be located"
            )
        spans.append((len(before), len(upto)))
    return full, spans


def encode_sft(tok, messages: list[dict]) -> Encoded:
    text, spans = assistant_spans(tok, messages)
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    labels = []
    for tid, (start, end) in zip(ids, enc["offset_mapping"]):
        inside = any(a <= start < b for a, b in spans)
        labels.append(tid if inside else IGNORE)
    return Encoded(ids, labels)


def dpo_length(tok, prompt: list[dict], chosen: list[dict], rejected: list[dict]) -> int:
    """Tokens of the prompt plus the longer of the two answers, as trl concatenates them."""
    n = []
    for answer in (chosen, rejected):
        n.append(len(tok(render(tok, prompt + answer), add_special_tokens=False)["input_ids"]))
    return max(n)
