"""The vLLM launch arguments of a serving config (``vllm serve MODEL --served-model-name … --enable-lora …``).

Config fields (camelCase, as the platform config spells them): ``model`` (a directory or hub id the server loads),
``servedModelName`` (the id clients use, default ``model``), ``maxLoras`` (adapters in one batch, default 4),
``maxLoraRank`` (one of vLLM's allowed ranks, default 16), ``maxCpuLoras`` (adapters kept in CPU memory, ≥ maxLoras,
default 4 × maxLoras), ``port`` (default 8000), ``maxModelLen`` (optional). Every problem names the field, the value
and what is allowed."""

from __future__ import annotations

from typing import Any

ALLOWED_MAX_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)  # vLLM's MaxLoRARanks
FIELDS = ("model", "servedModelName", "maxLoras", "maxLoraRank", "maxCpuLoras", "port", "maxModelLen")


class LaunchConfigError(ValueError):
    pass


def _int(config: dict, key: str, default: int | None, low: int, high: int | None = None) -> int | None:
    v = config.get(key, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < low or (high is not None and v > high):
        allowed = f"an integer >= {low}" + (f" and <= {high}" if high is not None else "")
        raise LaunchConfigError(f"{key} is {v!r}; allowed: {allowed}")
    return v


def vllm_args(config: dict[str, Any]) -> list[str]:
    unknown = [k for k in config if k not in FIELDS]
    if unknown:
        raise LaunchConfigError(f"{unknown[0]} is not a serving config field; allowed: {', '.join(FIELDS)}")
    model = config.get("model")
    if not isinstance(model, str) or not model:
        raise LaunchConfigError(f"model is {model!r}; allowed: a non-empty string (the base model's directory or id)")
    served = config.get("servedModelName", model)
    if not isinstance(served, str) or not served:
        raise LaunchConfigError(f"servedModelName is {served!r}; allowed: a non-empty string")
    max_loras = _int(config, "maxLoras", 4, 1)
    rank = config.get("maxLoraRank", 16)
    if rank not in ALLOWED_MAX_LORA_RANKS or isinstance(rank, bool):
        raise LaunchConfigError(f"maxLoraRank is {rank!r}; allowed: {', '.join(map(str, ALLOWED_MAX_LORA_RANKS))}")
    max_cpu = _int(config, "maxCpuLoras", 4 * max_loras, 1)
    if max_cpu < max_loras:
        raise LaunchConfigError(f"maxCpuLoras is {max_cpu}; allowed: an integer >= maxLoras ({max_loras})")
    port = _int(config, "port", 8000, 1, 65535)
    args = ["serve", model, "--served-model-name", served, "--port", str(port), "--enable-lora",
            "--max-loras", str(max_loras), "--max-lora-rank", str(rank), "--max-cpu-loras", str(max_cpu)]
    max_len = _int(config, "maxModelLen", None, 1)
    if max_len is not None:
        args += ["--max-model-len", str(max_len)]
    return args


def resolver_env(config: dict[str, Any]) -> dict[str, str]:
    """What the resolver plugin reads, consistent with the launch arguments."""
    return {"VPCTUNE_MAX_LORA_RANK": str(config.get("maxLoraRank", 16))}
