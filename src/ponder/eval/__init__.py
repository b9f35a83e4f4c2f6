"""Evaluation: the whole system (runtime, reasoning, budgets, voting) scored as one model.

answers (extraction and checking, also training's reward), vote (majority of samples),
sources (ponder's tasks, reasoning-gym, JSONL), settings (the effort x samples grid), gate
and harness (many turns at once through the Runtime), results, report, plot and progress.
"""
