"""Scanner checks: one module per check, its docstring the check's documentation.

Write a check by adding a module here (the registry finds it; nothing to list)::

    '''SNT1xx my-check: what it detects, CWE, example evidence, how to fix.'''
    from scanner.checks._registry import CheckKind, check
    from scanner.findings import Rule, Severity

    RULE = Rule(id="SNT199", name="my-check", cwe=200, severity=Severity.LOW, summary="...")

    @check(name="my-check", kind=CheckKind.SESSION, rules=[RULE])
    async def run(ctx): ...

An ``ACTIVE`` check is ``async def run(ctx, point)`` and is called once per insertion point; build its
requests with ``point.inject(payload)`` and send them with ``ctx.engine.probe(...)``.
"""

from scanner.checks._registry import CheckKind, CheckSpec, all_rules, check, find, register, registry, select

__all__ = ["CheckKind", "CheckSpec", "all_rules", "check", "find", "register", "registry", "select"]
