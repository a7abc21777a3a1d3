"""Loss masking: the labels are exactly the assistant tokens (content plus the template's end-of-turn), for the
llama3-style and the chatml-style tiny templates, without {% generation %} markers in either template."""

from __future__ import annotations

import pytest

from vpctune_trainer.chat import IGNORE, encode_sft, load_tokenizer

CONVERSATION = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Describe the apple."},
    {"role": "assistant", "content": "The apple is red."},
    {"role": "user", "content": "And the river?"},
    {"role": "assistant", "content": "The river is blue and long."},
]

# What each template closes an assistant turn with (part of what the model must learn to produce).
END_OF_TURN = {"llama3": "<|eot_id|>", "chatml": "<|im_end|>\n"}


def _labelled_runs(enc):
    """Maximal runs of consecutive labelled tokens, as lists of token ids."""
    runs, cur = [], []
    for tid, lab in zip(enc.input_ids, enc.labels):
        if lab == IGNORE:
            if cur:
                runs.append(cur)
                cur = []
        else:
            assert lab == tid, "a label must be the token itself (the model shifts)"
            cur.append(tid)
    if cur:
        runs.append(cur)
    return runs


@pytest.mark.parametrize("template", ["llama3", "chatml"])
def test_labels_are_exactly_the_assistant_tokens(template, tiny_llama3, tiny_chatml):
    """Given a two-turn conversation, when it is encoded with the model's own chat template, then the labelled tokens
    are exactly, per assistant turn, the tokens of its content followed by the end-of-turn tokens, and nothing else
    (no system, user, header or generation-prompt token)."""
    tok = load_tokenizer(tiny_llama3 if template == "llama3" else tiny_chatml)
    assert "{% generation %}" not in tok.chat_template
    enc = encode_sft(tok, CONVERSATION)
    expected = [tok(m["content"] + END_OF_TURN[template], add_special_tokens=False)["input_ids"]
                for m in CONVERSATION if m["role"] == "assistant"]
    assert _labelled_runs(enc) == expected
    # and the full sequence is the template's rendering, untouched
    assert enc.input_ids == tok(tok.apply_chat_template(CONVERSATION, tokenize=False),
                                add_special_tokens=False)["input_ids"]


def test_llama3_template_trims_content_and_labels_follow(tiny_llama3):
    """Given assistant content with surrounding spaces, when the llama3 template trims it, then the labels cover the
    trimmed text the model actually sees."""
    tok = load_tokenizer(tiny_llama3)
    msgs = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "  Hello there.  "}]
    enc = encode_sft(tok, msgs)
    assert _labelled_runs(enc) == [tok("Hello there.<|eot_id|>", add_special_tokens=False)["input_ids"]]


def test_chatml_assistant_first_turn(tiny_chatml):
    """Given a conversation that starts with an assistant turn (the template inserts its default system prompt),
    then only that assistant turn is labelled."""
    tok = load_tokenizer(tiny_chatml)
    enc = encode_sft(tok, [{"role": "assistant", "content": "Welcome!"}, {"role": "user", "content": "Thanks"}])
    assert _labelled_runs(enc) == [tok("Welcome!<|im_end|>\n", add_special_tokens=False)["input_ids"]]
