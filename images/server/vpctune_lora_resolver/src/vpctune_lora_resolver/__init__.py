"""vpctune's LoRA resolver: finds a fine-tuned model's adapter in the platform's storage (``adapters/<id>/``), checks it
against the served base model and the server's max LoRA rank, and keeps a size-bounded local cache of adapters.

The core (``storage_location``, ``object_stores``, ``adapter_check``, ``adapter_cache``, ``resolver``) is plain Python;
only ``vllm_plugin`` imports vLLM, and only when vLLM calls it.
"""

from .adapter_check import AdapterRejected
from .resolver import AdapterResolver, ResolverSettings

__all__ = ["AdapterRejected", "AdapterResolver", "ResolverSettings"]
