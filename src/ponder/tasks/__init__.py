"""Problems with checkable answers: ponder's own generators, shared by training and eval."""

from ponder.tasks.problem import Problem
from ponder.tasks.registry import TASK_NAMES, Task, get_task

__all__ = ["Problem", "Task", "TASK_NAMES", "get_task"]
