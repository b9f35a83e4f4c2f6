"""How a turn looks on a terminal: reasoning dimmed, answer plain, one summary line.

Knows rich and the event types; knows nothing about how turns are produced.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ponder.turn import Turn
from ponder.types import ContentDelta, FinishReason, ReasoningDelta, TurnResult

METER_WIDTH = 20


def stream_turn(console: Console, turn: Turn, show_reasoning: bool = True) -> TurnResult:
    """Print the turn as it streams; return its result."""
    in_reasoning = False
    for event in turn:
        if isinstance(event, ReasoningDelta) and show_reasoning:
            if not in_reasoning:
                console.print(Text("thinking: ", style="dim italic"), end="")
                in_reasoning = True
            console.print(Text(event.text, style="dim"), end="", soft_wrap=True)
        elif isinstance(event, ContentDelta):
            if in_reasoning:
                console.print()
                console.print(Text("answer: ", style="bold"), end="")
                in_reasoning = False
            console.print(Text(event.text), end="", soft_wrap=True)
        elif isinstance(event, TurnResult):
            console.print()
            return event
    raise AssertionError("a turn always ends with its result")


def summary_line(result: TurnResult) -> str:
    """input / cached / reasoning / output tokens, and how full the window is."""
    usage = result.usage
    used = usage.prompt_tokens + usage.completion_tokens
    window = result.context_window
    parts = [
        f"input {usage.prompt_tokens}",
        f"cached {usage.cached_tokens}",
        f"reasoning {usage.reasoning_tokens}/{result.reasoning_budget}",
        f"output {usage.answer_tokens}",
        f"context {used}/{window} {meter(used, window)}",
    ]
    if result.strategy is not None:  # several sequences: their sum says nothing about the window
        report = result.strategy
        parts[2] = f"reasoning {usage.reasoning_tokens} (all sequences)"
        parts[-1] = f"strategy {report['name']} · {report['sequences']} sequences"
        if report.get("probes"):
            parts[-1] += f" + {report['probes']} judge probes"
    notes = []
    if result.budget_forced:
        notes.append("reasoning budget reached")
    if result.finish_reason is FinishReason.LENGTH:
        notes.append("stopped: token limit")
    if result.dropped_turns:
        notes.append(f"dropped {result.dropped_turns} oldest turn(s) to fit the window")
    return " · ".join(parts) + (f"  ({'; '.join(notes)})" if notes else "")


def meter(used: int, window: int) -> str:
    filled = min(METER_WIDTH, round(METER_WIDTH * used / window)) if window else 0
    return "[" + "#" * filled + "." * (METER_WIDTH - filled) + f"] {100 * used / max(window, 1):.0f}%"
