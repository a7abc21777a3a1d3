"""Where and how a job trains: device, precision, attention kernel, quantization, data/model parallelism.

``build_plan`` is a pure function of the spec and a description of the machine (``Env``), so the GPU-only paths
(QLoRA, FSDP, flash-attention, bf16) are built and asserted in tests on machines without a GPU. Running a path that
needs CUDA on a machine without it raises ``CudaRequired`` before anything is loaded.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field

from .spec import Spec


class CudaRequired(RuntimeError):
    def __init__(self, param: str | None, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Env:
    cuda: bool
    bf16: bool
    world_size: int = 1
    rank: int = 0
    local_rank: int = 0
    flash_attn: bool = False
    bitsandbytes: bool = False

    @classmethod
    def detect(cls) -> "Env":
        import torch

        cuda = torch.cuda.is_available()
        return cls(
            cuda=cuda,
            bf16=bool(cuda and torch.cuda.is_bf16_supported()),
            world_size=int(os.environ.get("WORLD_SIZE", "1")),
            rank=int(os.environ.get("RANK", "0")),
            local_rank=int(os.environ.get("LOCAL_RANK", "0")),
            flash_attn=importlib.util.find_spec("flash_attn") is not None,
            bitsandbytes=importlib.util.find_spec("bitsandbytes") is not None,
        )


# decoder layer classes FSDP wraps, per model type (falls back to the model's _no_split_modules)
DECODER_LAYERS = {"llama": "LlamaDecoderLayer", "qwen2": "Qwen2DecoderLayer", "qwen3": "Qwen3DecoderLayer",
                  "mistral": "MistralDecoderLayer", "gemma2": "Gemma2DecoderLayer", "gemma3": "Gemma3DecoderLayer"}


@dataclass
class Plan:
    device: str  # "cuda" | "cpu"
    precision: str  # "bf16" | "fp16" | "fp32"
    attn_implementation: str  # "flash_attention_2" | "sdpa"
    parallelism: str  # "single" | "ddp" | "fsdp"
    world_size: int
    row_tokens: int = 512  # packed row length (see packing.py)
    rows_per_micro_batch: int = 32
    quantization: dict | None = None  # BitsAndBytesConfig kwargs (QLoRA)
    training_args: dict = field(default_factory=dict)  # extra transformers.TrainingArguments kwargs

    @property
    def torch_dtype(self):
        import torch

        return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[self.precision]

    def bnb_config(self):
        if self.quantization is None:
            return None
        import torch
        from transformers import BitsAndBytesConfig

        q = dict(self.quantization)
        q["bnb_4bit_compute_dtype"] = getattr(torch, q["bnb_4bit_compute_dtype"])
        return BitsAndBytesConfig(**q)


def build_plan(spec: Spec, env: Env, model_type: str | None = None) -> Plan:
    if spec.adapter_type == "qlora" and not env.cuda:
        raise CudaRequired(
            "adapter.type",
            'adapter.type "qlora" needs a CUDA GPU: 4-bit NF4 quantization (bitsandbytes) runs only on CUDA, '
            "and this machine has none",
        )
    if spec.adapter_type == "full" and env.world_size > 1 and not env.cuda:
        raise CudaRequired(
            "adapter.type",
            f'adapter.type "full" on {env.world_size} processes shards the model with FSDP, which needs CUDA GPUs, '
            "and this machine has none; run full fine-tuning as one process on CPU or on GPUs",
        )
    if spec.adapter_type == "qlora" and not env.bitsandbytes:
        raise RuntimeError("bitsandbytes is not installed; the CUDA image pins it (requirements-cuda.txt)")

    if env.cuda:
        precision = "bf16" if env.bf16 else "fp16"
        attn = "flash_attention_2" if env.flash_attn else "sdpa"
    else:
        precision, attn = "fp32", "sdpa"

    args: dict = {"bf16": precision == "bf16", "fp16": precision == "fp16", "use_cpu": not env.cuda}
    parallelism = "single" if env.world_size == 1 else "ddp"
    quant = None
    if spec.adapter_type == "qlora":
        quant = {
            "load_in_4bit": True,
            "bnb_4bit_quant_type": "nf4",
            "bnb_4bit_use_double_quant": True,
            "bnb_4bit_compute_dtype": "bfloat16" if precision == "bf16" else "float16",
        }
        args["gradient_checkpointing"] = True
        args["gradient_checkpointing_kwargs"] = {"use_reentrant": False}
    if spec.adapter_type == "full" and env.world_size > 1:
        parallelism = "fsdp"
        layer = DECODER_LAYERS.get(model_type or "")
        fsdp_config = {
            "version": 2,
            "reshard_after_forward": True,
            "state_dict_type": "FULL_STATE_DICT",
            "cpu_ram_efficient_loading": True,
            "activation_checkpointing": True,
            "auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
        }
        if layer:
            fsdp_config["transformer_layer_cls_to_wrap"] = [layer]
        args["fsdp"] = True  # FSDP2; reshard_after_forward=True is full sharding
        args["fsdp_config"] = fsdp_config
    if parallelism == "ddp":
        # every parameter takes part in each step; LoRA freezes the base, which DDP handles without searching
        args["ddp_find_unused_parameters"] = False
        args["ddp_backend"] = "nccl" if env.cuda else "gloo"
    # Packing layout: varlen flash-attention costs linear time in the examples' lengths, so one long row per
    # micro-batch (16k tokens, no padding); SDPA's dense block-diagonal mask costs the square of the row length, so
    # rows of 512 tokens stacked 32 to a micro-batch (16k tokens) with a little end-of-row padding.
    row_tokens, rows_per_mb = (16384, 1) if attn == "flash_attention_2" else (512, 32)
    return Plan(device="cuda" if env.cuda else "cpu", precision=precision, attn_implementation=attn,
                parallelism=parallelism, world_size=env.world_size, row_tokens=row_tokens,
                rows_per_micro_batch=rows_per_mb, quantization=quant, training_args=args)
