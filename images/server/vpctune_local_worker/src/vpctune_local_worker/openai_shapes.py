"""Request parsing and response shapes of the OpenAI-compatible API subset (as vLLM's server answers them).

Errors are ``ApiError(status, message, param)`` and go out as ``{"error": {"message", "type", "param", "code"}}``."""

from __future__ import annotations

import math
import time
import uuid

from .generation import Outcome, Sampling

ERROR_TYPES = {400: "BadRequestError", 404: "NotFoundError", 405: "MethodNotAllowedError", 500: "InternalServerError"}
DEFAULT_MAX_TOKENS = {"chat": 256, "text": 16}  # OpenAI's completions default is 16 tokens
ROLES = ("system", "user", "assistant")


class ApiError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None):
        super().__init__(message)
        self.status, self.message, self.param = status, message, param

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": ERROR_TYPES.get(self.status, "APIError"),
                          "param": self.param, "code": self.status}}


def _number(body: dict, key: str, default: float, low: float, high: float) -> float:
    v = body.get(key, default)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not low <= v <= high:
        raise ApiError(400, f"{key} must be a number between {low:g} and {high:g}, got {v!r}", key)
    return float(v)


def parse_sampling(body: dict, kind: str) -> Sampling:
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is None:
        max_tokens = DEFAULT_MAX_TOKENS[kind]
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise ApiError(400, f"max_tokens must be a positive integer, got {max_tokens!r}", "max_tokens")
    stop = body.get("stop") or ()
    if isinstance(stop, str):
        stop = (stop,)
    if not isinstance(stop, (list, tuple)) or not all(isinstance(s, str) and s for s in stop) or len(stop) > 4:
        raise ApiError(400, "stop must be a non-empty string or a list of at most 4 of them", "stop")
    n = body.get("n", 1)
    if n != 1:
        raise ApiError(400, f"n must be 1 on this server, got {n!r}", "n")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ApiError(400, f"seed must be an integer, got {seed!r}", "seed")
    return Sampling(temperature=_number(body, "temperature", 1.0, 0.0, 2.0), top_p=_number(body, "top_p", 1.0, 1e-9, 1.0),
                    max_tokens=max_tokens, stop=tuple(stop), seed=seed)


def parse_messages(body: dict) -> list[dict]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "messages must be a non-empty array", "messages")
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise ApiError(400, f"messages[{i}] must be an object with role ({', '.join(ROLES)}) and string content",
                           f"messages[{i}]")
        out.append({"role": m["role"], "content": m["content"]})
    return out


def parse_model(body: dict) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(400, "model must be a non-empty string", "model")
    return model


class Shapes:
    """One response's id, creation time and model; builds its full body and its stream chunks."""

    def __init__(self, kind: str, model: str):
        self.kind, self.model = kind, model
        self.id = ("chatcmpl-" if kind == "chat" else "cmpl-") + uuid.uuid4().hex
        self.created = int(time.time())
        self.object = "chat.completion" if kind == "chat" else "text_completion"

    def _head(self, obj: str) -> dict:
        return {"id": self.id, "object": obj, "created": self.created, "model": self.model}

    def full(self, text: str, outcome: Outcome, prompt_tokens: int) -> dict:
        if self.kind == "chat":
            choice = {"index": 0, "message": {"role": "assistant", "content": text}, "logprobs": None,
                      "finish_reason": outcome.finish_reason}
        else:
            choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": outcome.finish_reason}
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": outcome.completion_tokens,
                 "total_tokens": prompt_tokens + outcome.completion_tokens}
        return {**self._head(self.object), "choices": [choice], "usage": usage}

    def usage_chunk(self, outcome: Outcome, prompt_tokens: int) -> dict:
        """The last chunk of a stream with ``stream_options.include_usage``: no choices, the usage (as vLLM)."""
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": outcome.completion_tokens,
                 "total_tokens": prompt_tokens + outcome.completion_tokens}
        obj = "chat.completion.chunk" if self.kind == "chat" else "text_completion"
        return {**self._head(obj), "choices": [], "usage": usage}

    def chunk(self, text: str | None = None, finish_reason: str | None = None, first: bool = False) -> dict:
        if self.kind == "chat":
            delta = {"role": "assistant", "content": ""} if first else ({"content": text} if text is not None else {})
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            return {**self._head("chat.completion.chunk"), "choices": [choice]}
        return {**self._head("text_completion"),
                "choices": [{"index": 0, "text": text or "", "logprobs": None, "finish_reason": finish_reason}]}


def model_card(name: str, created: int, root: str, parent: str | None, max_model_len: int) -> dict:
    return {"id": name, "object": "model", "created": created, "owned_by": "vpctune", "root": root, "parent": parent,
            "max_model_len": max_model_len, "permission": []}
