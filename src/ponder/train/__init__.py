"""ponder's reasoner recipe: problems -> SFT -> RL (GRPO) -> GGUF, all on a CPU."""
