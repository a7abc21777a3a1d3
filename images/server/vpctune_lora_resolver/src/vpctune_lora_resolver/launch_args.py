"""The vLLM launch arguments of a serving config (``vllm serve MODEL --served-model-name … --enable-lora …``).

Config fields (camelCase, as the platform config spells them): ``model`` (a directory or hub id the server loads, or
the platform storage URL of the base's weights, ``<storage URL>/models/<id>/``, which the launcher downloads first:
model_fetch.py), ``servedModelName`` (the id clients use; default ``model``, required when ``model`` is a storage URL),
``maxLoras`` (adapters in one batch, default 4), ``maxLoraRank`` (one of vLLM's allowed ranks, default 16),
``maxCpuLoras`` (adapters kept in CPU memory, ≥ maxLoras, default 4 × maxLoras), ``port`` (default 8000),
``maxModelLen`` (optional), ``tensorParallelSize`` (GPUs one replica shards the model over, = the GPUs of the pod,
default 1), ``modelsDir`` (where downloaded weights go, default ``/tmp/vpctune/models``). Every problem names the field,
the value and what is allowed."""

from __future__ import annotations

from typing import Any

ALLOWED_MAX_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)  # vLLM's MaxLoRARanks
FIELDS = ("model", "servedModelName", "maxLoras", "maxLoraRank", "maxCpuLoras", "port", "maxModelLen",
          "tensorParallelSize", "modelsDir")
DEFAULT_MODELS_DIR = "/tmp/vpctune/models"


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


def checked_model(config: dict[str, Any]) -> tuple[str, str]:
    """The config's ``model`` and ``servedModelName``, checked (no other field is looked at)."""
    model = config.get("model")
    if not isinstance(model, str) or not model:
        raise LaunchConfigError(f"model is {model!r}; allowed: a non-empty string (the base model's directory, id or storage URL)")
    if "://" in model and "servedModelName" not in config:
        raise LaunchConfigError(f"servedModelName is missing; allowed: the id clients use, required when model is a storage URL ({model})")
    served = config.get("servedModelName", model)
    if not isinstance(served, str) or not served:
        raise LaunchConfigError(f"servedModelName is {served!r}; allowed: a non-empty string")
    return model, served


def models_dir(config: dict[str, Any]) -> str:
    d = config.get("modelsDir", DEFAULT_MODELS_DIR)
    if not isinstance(d, str) or not d.startswith("/"):
        raise LaunchConfigError(f"modelsDir is {d!r}; allowed: an absolute directory path")
    return d


def vllm_args(config: dict[str, Any], local_model: str | None = None) -> list[str]:
    """``local_model``: what vLLM loads in place of ``model`` (the downloaded copy of a storage URL, model_fetch.py).
    @default - ``model``"""
    unknown = [k for k in config if k not in FIELDS]
    if unknown:
        raise LaunchConfigError(f"{unknown[0]} is not a serving config field; allowed: {', '.join(FIELDS)}")
    model, served = checked_model(config)
    models_dir(config)
    max_loras = _int(config, "maxLoras", 4, 1)
    rank = config.get("maxLoraRank", 16)
    if rank not in ALLOWED_MAX_LORA_RANKS or isinstance(rank, bool):
        raise LaunchConfigError(f"maxLoraRank is {rank!r}; allowed: {', '.join(map(str, ALLOWED_MAX_LORA_RANKS))}")
    max_cpu = _int(config, "maxCpuLoras", 4 * max_loras, 1)
    if max_cpu < max_loras:
        raise LaunchConfigError(f"maxCpuLoras is {max_cpu}; allowed: an integer >= maxLoras ({max_loras})")
    port = _int(config, "port", 8000, 1, 65535)
    tp = _int(config, "tensorParallelSize", 1, 1, 64)
    args = ["serve", local_model or model, "--served-model-name", served, "--port", str(port),
            "--tensor-parallel-size", str(tp), "--enable-lora",
            "--max-loras", str(max_loras), "--max-lora-rank", str(rank), "--max-cpu-loras", str(max_cpu)]
    max_len = _int(config, "maxModelLen", None, 1)
    if max_len is not None:
        args += ["--max-model-len", str(max_len)]
    return args


def resolver_env(config: dict[str, Any]) -> dict[str, str]:
    """What the resolver plugin reads, consistent with the launch arguments."""
    return {"VPCTUNE_MAX_LORA_RANK": str(config.get("maxLoraRank", 16))}
