"""The job spec: parsing, defaults and the resolution of "auto" hyperparameters.

Errors are ``SpecError(param, message)``; the runner reports them as ``failed`` events with code ``invalid_spec``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

# Base learning rates per adapter type; learning_rate = base * learning_rate_multiplier.
BASE_LR = {"lora": 2e-4, "qlora": 2e-4, "full": 2e-5}
# DPO moves the policy relative to a reference model and wants a smaller step.
BASE_LR_DPO = {"lora": 5e-5, "qlora": 5e-5, "full": 1e-6}
DEFAULT_LORA = {"r": 16, "alpha": 32, "dropout": 0.05, "target_modules": "all-linear"}
DEFAULT_BETA = 0.1
TOP_LEVEL = ("base_model", "training_file", "validation_file", "method", "adapter", "context_length", "seed",
             "output_dir", "checkpoint_steps", "model", "fine_tuned_model", "publish_dir")


class SpecError(ValueError):
    def __init__(self, param: str | None, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass
class Spec:
    base_model: str
    training_file: str
    output_dir: str
    validation_file: str | None = None
    method: str = "supervised"
    # raw hyperparameters: "auto" or a number
    n_epochs: Any = "auto"
    batch_size: Any = "auto"
    learning_rate_multiplier: Any = "auto"
    beta: Any = "auto"
    adapter_type: str = "lora"
    lora_r: int = DEFAULT_LORA["r"]
    lora_alpha: int = DEFAULT_LORA["alpha"]
    lora_dropout: float = DEFAULT_LORA["dropout"]
    target_modules: Any = DEFAULT_LORA["target_modules"]
    context_length: Any = "auto"
    seed: int = 42
    checkpoint_steps: int | None = None
    # serving: the base model's id as served, the fine-tuned model's id and where its servable weights go
    model: str | None = None
    fine_tuned_model: str | None = None
    publish_dir: str | None = None
    raw: dict = field(default_factory=dict)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    return _is_num(v) and float(v).is_integer()


def _str(obj: dict, key: str, param: str, required: bool) -> str | None:
    if key not in obj or obj[key] is None:
        if required:
            raise SpecError(param, f"{param} is required")
        return None
    v = obj[key]
    if not isinstance(v, str) or v == "":
        raise SpecError(param, f"{param} must be a non-empty string")
    return v


def _auto_or(v: Any, param: str, kind: str) -> Any:
    if v == "auto":
        return v
    if kind == "posint":
        if not _is_int(v) or v < 1:
            raise SpecError(param, f'{param} must be "auto" or a positive integer, got {v!r}')
        return int(v)
    if not _is_num(v) or v <= 0:
        raise SpecError(param, f'{param} must be "auto" or a positive number, got {v!r}')
    return float(v)


def parse_spec(obj: Any) -> Spec:
    if not isinstance(obj, dict):
        raise SpecError(None, "the spec must be a JSON object")
    for k in obj:
        if k not in TOP_LEVEL:
            raise SpecError(k, f"{k} is not a spec field; allowed: {', '.join(TOP_LEVEL)}")
    s = Spec(
        base_model=_str(obj, "base_model", "base_model", True),
        training_file=_str(obj, "training_file", "training_file", True),
        output_dir=_str(obj, "output_dir", "output_dir", True),
        validation_file=_str(obj, "validation_file", "validation_file", False),
        raw=obj,
    )

    method = obj.get("method", {"type": "supervised"})
    if not isinstance(method, dict):
        raise SpecError("method", "method must be an object")
    mtype = method.get("type", "supervised")
    if mtype not in ("supervised", "dpo"):
        raise SpecError("method.type", f'method.type must be "supervised" or "dpo", got {mtype!r}')
    s.method = mtype
    for k in method:
        if k not in ("type", mtype):
            raise SpecError(f"method.{k}", f"method.{k} is not allowed with method.type {mtype!r}")
    section = method.get(mtype) or {}
    if not isinstance(section, dict):
        raise SpecError(f"method.{mtype}", f"method.{mtype} must be an object")
    hp = section.get("hyperparameters") or {}
    if not isinstance(hp, dict):
        raise SpecError(f"method.{mtype}.hyperparameters", f"method.{mtype}.hyperparameters must be an object")
    allowed = ["n_epochs", "batch_size", "learning_rate_multiplier"] + (["beta"] if mtype == "dpo" else [])
    prefix = f"method.{mtype}.hyperparameters"
    for k in hp:
        if k not in allowed:
            raise SpecError(f"{prefix}.{k}", f"{prefix}.{k} is not a hyperparameter; allowed: {', '.join(allowed)}")
    s.n_epochs = _auto_or(hp.get("n_epochs", "auto"), f"{prefix}.n_epochs", "posint")
    s.batch_size = _auto_or(hp.get("batch_size", "auto"), f"{prefix}.batch_size", "posint")
    s.learning_rate_multiplier = _auto_or(hp.get("learning_rate_multiplier", "auto"),
                                          f"{prefix}.learning_rate_multiplier", "pos")
    if mtype == "dpo":
        s.beta = _auto_or(hp.get("beta", "auto"), f"{prefix}.beta", "pos")

    adapter = obj.get("adapter", {"type": "lora"})
    if not isinstance(adapter, dict):
        raise SpecError("adapter", "adapter must be an object")
    for k in adapter:
        if k not in ("type", "r", "alpha", "dropout", "target_modules"):
            raise SpecError(f"adapter.{k}", f"adapter.{k} is not allowed; allowed: type, r, alpha, dropout, target_modules")
    atype = adapter.get("type", "lora")
    if atype not in ("lora", "qlora", "full"):
        raise SpecError("adapter.type", f'adapter.type must be "lora", "qlora" or "full", got {atype!r}')
    s.adapter_type = atype
    # r, alpha, dropout and target_modules are validated for every type but only used by lora/qlora (the controller
    # sends its defaults with "full" too)
    if "r" in adapter:
        if not _is_int(adapter["r"]) or adapter["r"] < 1:
            raise SpecError("adapter.r", f"adapter.r must be a positive integer, got {adapter['r']!r}")
        s.lora_r = int(adapter["r"])
        s.lora_alpha = 2 * s.lora_r
    if "alpha" in adapter:
        if not _is_num(adapter["alpha"]) or adapter["alpha"] <= 0:
            raise SpecError("adapter.alpha", f"adapter.alpha must be a positive number, got {adapter['alpha']!r}")
        s.lora_alpha = adapter["alpha"]
    if "dropout" in adapter:
        d = adapter["dropout"]
        if not _is_num(d) or not (0 <= d < 1):
            raise SpecError("adapter.dropout", f"adapter.dropout must be a number in [0, 1), got {d!r}")
        s.lora_dropout = float(d)
    if "target_modules" in adapter:
        tm = adapter["target_modules"]
        ok = tm == "all-linear" or (isinstance(tm, list) and tm and all(isinstance(x, str) and x for x in tm))
        if not ok:
            raise SpecError("adapter.target_modules",
                            'adapter.target_modules must be "all-linear" or a non-empty list of module names')
        s.target_modules = tm

    cl = obj.get("context_length", "auto")
    if cl != "auto" and (not _is_int(cl) or cl < 8):
        raise SpecError("context_length", f'context_length must be "auto" or an integer >= 8, got {cl!r}')
    s.context_length = cl if cl == "auto" else int(cl)
    seed = obj.get("seed", 42)
    if not _is_int(seed) or seed < 0:
        raise SpecError("seed", f"seed must be a non-negative integer, got {seed!r}")
    s.seed = int(seed)
    cs = obj.get("checkpoint_steps")
    if cs is not None and (not _is_int(cs) or cs < 1):
        raise SpecError("checkpoint_steps", f"checkpoint_steps must be a positive integer, got {cs!r}")
    s.checkpoint_steps = int(cs) if cs is not None else None
    _parse_serving(obj, s)
    return s


def _parse_serving(obj: dict, s: Spec) -> None:
    """``model``, ``fine_tuned_model`` and ``publish_dir``: a job that publishes names all three, and publish_dir ends
    with the fine-tuned model's key (``adapters/<id>`` for lora/qlora, ``models/<id>`` for full) so the server's
    resolver finds the weights where it looks."""
    s.model = _str(obj, "model", "model", False)
    s.fine_tuned_model = _str(obj, "fine_tuned_model", "fine_tuned_model", False)
    s.publish_dir = _str(obj, "publish_dir", "publish_dir", False)
    if s.publish_dir is None:
        return
    for name in ("model", "fine_tuned_model"):
        if getattr(s, name) is None:
            raise SpecError(name, f"{name} is required with publish_dir")
    if any(part in ("", ".", "..") for part in s.fine_tuned_model.split("/")) or "\\" in s.fine_tuned_model:
        raise SpecError("fine_tuned_model", f"fine_tuned_model {s.fine_tuned_model!r} is not a valid storage key segment: "
                                            "no empty, '.' or '..' path parts and no backslash")
    folder = "models" if s.adapter_type == "full" else "adapters"
    expected = f"{folder}/{s.fine_tuned_model}"
    if not s.publish_dir.rstrip("/").endswith("/" + expected) and s.publish_dir.rstrip("/") != expected:
        raise SpecError("publish_dir", f"publish_dir {s.publish_dir!r} must end with {expected}/ "
                                       f"(adapter.type {s.adapter_type!r} publishes under {folder}/)")


# ---- "auto" hyperparameters, chosen from the dataset size like the hosted services do

def auto_n_epochs(n_examples: int) -> int:
    """3 epochs; more for small files so that about 100 examples are seen (at most 25 epochs), fewer for large
    files so that at most 25,000 examples are seen (at least 1 epoch)."""
    n = 3
    if n * n_examples < 100:
        n = min(25, math.ceil(100 / n_examples))
    elif n * n_examples > 25_000:
        n = max(1, 25_000 // n_examples)
    return n


def auto_batch_size(n_examples: int, world_size: int = 1) -> int:
    """About 0.2% of the examples rounded down to a power of two, between 1 and 64; at least one example per process
    and a multiple of the number of processes."""
    b = 1
    while b * 2 <= min(64, 0.002 * n_examples):
        b *= 2
    b = max(b, world_size)
    return math.ceil(b / world_size) * world_size


SMALL_FILE_EXAMPLES = 1000  # below this the auto batch is 1 and a job has at most ~3,000 optimizer steps
SMALL_FILE_LR_MULTIPLIER = 2.0


def auto_lr_multiplier(batch_size: int, n_examples: int) -> float:
    """2 for small files (fewer than 1,000 examples: a few hundred steps must move the adapter; at 0.5 a LoRA on a
    100-example file did not learn it); otherwise square-root scaling with the batch size around a batch of 8,
    clamped to [0.5, 2]."""
    if n_examples < SMALL_FILE_EXAMPLES:
        return SMALL_FILE_LR_MULTIPLIER
    return float(min(2.0, max(0.5, math.sqrt(batch_size / 8))))


def resolve_hyperparameters(spec: Spec, n_examples: int, world_size: int = 1) -> dict:
    n_epochs = spec.n_epochs if spec.n_epochs != "auto" else auto_n_epochs(n_examples)
    batch_size = spec.batch_size if spec.batch_size != "auto" else auto_batch_size(n_examples, world_size)
    mult = (spec.learning_rate_multiplier if spec.learning_rate_multiplier != "auto"
            else auto_lr_multiplier(batch_size, n_examples))
    base = (BASE_LR_DPO if spec.method == "dpo" else BASE_LR)[spec.adapter_type]
    hp = {"n_epochs": int(n_epochs), "batch_size": int(batch_size), "learning_rate_multiplier": float(mult),
          "learning_rate": float(base * mult)}
    if spec.method == "dpo":
        hp["beta"] = float(spec.beta if spec.beta != "auto" else DEFAULT_BETA)
    if batch_size < world_size:
        raise SpecError(f"method.{spec.method}.hyperparameters.batch_size",
                        f"batch_size {batch_size} is smaller than the number of processes ({world_size}); "
                        "it is the global batch and must give every process at least one example")
    if spec.method == "dpo" and batch_size % world_size:
        raise SpecError(f"method.dpo.hyperparameters.batch_size",
                        f"batch_size {batch_size} must be a multiple of the number of processes ({world_size}) for dpo")
    return hp
