"""vpctune's local inference worker: a base chat model and any number of its LoRA adapters on CPU, behind the subset of
vLLM's OpenAI-compatible HTTP API the platform uses. It stands in for the vLLM server on the local platform and in
tests; adapters it does not know are found in the platform's storage by the same resolver core vLLM's plugin uses."""
