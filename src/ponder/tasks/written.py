"""Written arithmetic, digit by digit, as a small model can learn it.

Each line handles one column from the right and rewrites the result so far, so every
step needs only the two digits of its column and the line above it. Multiplication is
one partial product per digit of the multiplier, then written addition.
"""

from __future__ import annotations

from ponder.tasks.trace import Trace


def add(t: Trace, a: int, b: int) -> int:
    width = max(len(str(a)), len(str(b)))
    xs, ys = str(a).zfill(width), str(b).zfill(width)
    t.say(f"{xs}+{ys}:\n")
    carry, so_far = 0, ""
    for k in range(1, width + 1):
        x, y = int(xs[-k]), int(ys[-k])
        s = x + y + carry
        t.value(f"{x}+{y}+{carry}", s)
        so_far = (str(s) if k == width else str(s % 10)) + so_far
        t.say(f" -> {so_far}\n")
        carry = s // 10
    t.say(f"so {a}+{b}={a + b}\n")
    return a + b


def sub(t: Trace, a: int, b: int) -> int:
    if a < b:
        t.say(f"{a}<{b}, so {b}-{a} with a minus sign\n")
        result = -sub(t, b, a)
        t.say(f"so {a}-{b}={result}\n")
        return result
    width = len(str(a))
    xs, ys = str(a), str(b).zfill(width)
    t.say(f"{xs}-{ys}:\n")
    borrow, so_far = 0, ""
    for k in range(1, width + 1):
        x, y = int(xs[-k]), int(ys[-k])
        digit = x - y - borrow
        if digit < 0:  # borrow ten from the next column
            t.say(f"{x}-{y}-{borrow}<0, ")
            t.value(f"{x + 10}-{y}-{borrow}", digit + 10)
            digit, borrow = digit + 10, 1
        else:
            t.value(f"{x}-{y}-{borrow}", digit)
            borrow = 0
        so_far = str(digit) + so_far
        t.say(f" -> {so_far}\n")
    t.say(f"so {a}-{b}={a - b}\n")
    return a - b


def mul(t: Trace, a: int, b: int) -> int:
    if len(str(b)) > len(str(a)):  # one partial product per digit of the shorter number
        t.say(f"{a}*{b}={b}*{a}\n")
        return mul(t, b, a)
    partials = []
    for k, d in enumerate(reversed(str(b))):
        partial = times_digit(t, a, int(d))
        if k:
            t.say(f"{partial}*{10 ** k}={partial * 10 ** k}\n")
        partials.append(partial * 10**k)
    total = partials[0]
    for partial in partials[1:]:
        total = add(t, total, partial)
    t.say(f"so {a}*{b}={a * b}\n")
    return a * b


def times_digit(t: Trace, a: int, d: int) -> int:
    t.say(f"{a}*{d}:\n")
    if d in (0, 1):
        t.say(f"{a}*{d}={a * d}\n")
        return a * d
    xs = str(a)
    carry, so_far = 0, ""
    for k in range(1, len(xs) + 1):
        x = int(xs[-k])
        p = x * d + carry
        t.value(f"{x}*{d}+{carry}", p)
        so_far = (str(p) if k == len(xs) else str(p % 10)) + so_far
        t.say(f" -> {so_far}\n")
        carry = p // 10
    return a * d
