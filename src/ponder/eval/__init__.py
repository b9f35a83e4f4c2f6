"""Evaluation: the whole system (runtime, reasoning, budgets, test-time strategies) scored as one model.

sources (ponder's tasks, reasoning-gym, JSONL), strategies (eval's strategy names, and the
Strategy each problem runs), settings (the task x effort x strategy grid), gate and harness
(many strategy turns at once through the Runtime), outcomes (a turn's result, scored),
results, report, plot and progress, and combine (results.json read back, several runs as one
report). Answers are extracted and checked by ponder.answers.
"""
