"""Test-time strategies: how a turn turns more compute into a better answer."""

from ponder.strategies.base import Ask, Done, Outcome, Shown, Strategy
from ponder.strategies.best_of_n import BestOfN
from ponder.strategies.refine import Refine
from ponder.strategies.registry import STRATEGIES, parse_strategy, split_model
from ponder.strategies.single import Single
from ponder.strategies.think_longer import ThinkLonger
from ponder.strategies.verifiers import FunctionVerifier, SelfJudge, TaskChecker, Verifier
from ponder.strategies.vote import Vote

__all__ = [
    "Ask", "BestOfN", "Done", "FunctionVerifier", "Outcome", "Refine", "STRATEGIES", "SelfJudge", "Shown", "Single",
    "Strategy", "TaskChecker", "ThinkLonger", "Verifier", "Vote", "parse_strategy", "split_model",
]
