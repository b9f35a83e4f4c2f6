"""Written arithmetic, one column per line, laid out so that a very small model can follow it.

A small transformer's hardest step was finding the k-th digit from the right of a number
written far above (measured on the first reasoner: most of its addition errors were such
lookups), and doing a digit product and a carry in one step (most multiplication errors).
So each line first rewrites what is left of the operands, their last digits dropped, and
works on the digits just before the operator and the colon, right beside it; a digit
product and its carry are two steps. Every line ends with the result so far, so the last
line holds the whole result:

    4821+367: 1+7+0=8 -> 8
    482+36: 2+6+0=8 -> 88
    48+3: 8+3+0=11 -> 188
    4+0: 4+0+1=5 -> 5188

An operand that runs out of digits is written 0. Multiplication is one partial product
per digit of the shorter number, each shifted, then added the same way; from its units
digit, or (where the trace's style asks) from its tens digit, so that the partial product
recalled from far above is another one:

    849*27:                              849*27:
    849*7: ... so 849*7=5943             849*2: ... so 849*2=1698, 849*20=16980
    849*2: ... 849*20=16980              849*7: ... so 849*7=5943
    849*7=5943, 849*20=16980             849*20=16980, 849*7=5943
    5943+16980: ...                      16980+5943: ...
"""

from __future__ import annotations

from ponder.tasks.trace import Trace

RECALL_SLIP_RATE = 0.1  # per partial product recalled by name, in traces that slip at all


def add(t: Trace, a: int, b: int, conclude: bool = True) -> int:
    xs, ys = str(a), str(b)
    carry, so_far = 0, ""
    while True:
        t.say(f"{xs}+{ys}: ")
        x, y = int(xs[-1]), int(ys[-1])
        last = len(xs) == 1 and len(ys) == 1
        s = x + y + carry
        t.value(f"{x}+{y}+{carry}", s)
        so_far = (str(s) if last else str(s % 10)) + so_far
        t.say(f" -> {so_far}\n")
        if last:
            break
        xs, ys, carry = rest(xs), rest(ys), s // 10
    if conclude:
        t.say(f"so {a}+{b}={a + b}\n")
    return a + b


def sub(t: Trace, a: int, b: int) -> int:
    if a < b:
        t.say(f"{a}<{b}, so {b}-{a} with a minus sign\n")
        result = -sub(t, b, a)
        t.say(f"so {a}-{b}={result}\n")
        return result
    xs, ys = str(a), str(b)
    borrow, so_far = 0, ""
    while True:
        t.say(f"{xs}-{ys}: ")
        x, y = int(xs[-1]), int(ys[-1])
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
        if len(xs) == 1:  # a >= b, so b has no digits left either
            break
        xs, ys = rest(xs), rest(ys)
    t.say(f"so {a}-{b}={a - b}\n")
    return a - b


def mul(t: Trace, a: int, b: int, tens_first: bool | None = None) -> int:
    """tens_first: which way the partial products go; None: as the trace's style draws it."""
    asked = f"{a}*{b}"
    t.say(f"{asked}:\n")
    if len(str(b)) > len(str(a)):  # one partial product per digit of the shorter number
        a, b = b, a
        t.say(f"{asked}={a}*{b}\n")
    digits = list(enumerate(reversed(str(b))))
    if len(digits) > 1 and (t.goes_tens_first() if tens_first is None else tens_first):
        digits.reverse()
    named = []
    for k, d in digits:
        partial = times_digit(t, a, int(d))
        shifted = f", {a}*{d}{'0' * k}={partial * 10**k}" if k and partial else ""
        if d not in "01" and len(str(b)) > 1:  # times_digit ended on the digits, not on the product's name
            t.say(f"so {a}*{d}={partial}{shifted}\n")
        named.append((f"{a}*{d}{'0' * k}", partial * 10**k))
    if len(named) > 1:
        # Each partial product is recalled by its name, right above the sum that adds it: writing
        # `868*4=` again, the model finds the one place it was written and copies what follows
        # (an induction copy). Copied by position instead, from about eight lines up, the first
        # partial's leading digit was the third reasoner's most common first error.
        # Copies slip (and are corrected) more often than steps, so that the model sees a
        # correction where its own errors are.
        for i, (name, value) in enumerate(named):
            t.value(name, value, slip_rate=RECALL_SLIP_RATE, leading=True)
            t.say(", " if i + 1 < len(named) else "\n")
    total = named[0][1]
    for _, value in named[1:]:
        total = add(t, total, value, conclude=False)  # the product's conclusion says it
    t.say(f"so {asked}={a * b}\n")
    return a * b


def times_digit(t: Trace, a: int, d: int) -> int:
    if d in (0, 1):
        t.say(f"{a}*{d}={a * d}\n")
        return a * d
    xs = str(a)
    carry, so_far = 0, ""
    while True:
        t.say(f"{xs}*{d}: ")
        x = int(xs[-1])
        t.value(f"{x}*{d}", x * d)
        t.say(", ")
        p = x * d + carry
        t.value(f"{x * d}+{carry}", p)
        so_far = (str(p) if len(xs) == 1 else str(p % 10)) + so_far
        t.say(f" -> {so_far}\n")
        if len(xs) == 1:
            break
        xs, carry = xs[:-1], p // 10
    return a * d


def rest(digits: str) -> str:
    """The operand with its last digit used up; 0 once none are left."""
    return digits[:-1] or "0"
