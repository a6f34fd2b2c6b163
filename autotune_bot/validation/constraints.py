"""Constraint checking before anything is applied: is a changed workflow file still valid and
within the user's rules?

Two kinds of rule (see :mod:`.violations` for their names):

* the **graph** of every definition in the file stays valid (:mod:`.graph_constraints`);
* the **user's rules** of ``.autotune.yml`` ``constraints:`` hold: protected files, nodes and
  roles (:mod:`.rule_constraints`), and the minimum success rate and maximum cost per run on
  the change's estimate (an estimate without the value leaves the rule *unchecked*).

:func:`check_patched_text` is what the patch builder runs on each patched file;
:func:`check_suggestion` applies one suggestion's changes to its file (text only, nothing is
written) and checks the result and the suggestion's estimate, which is what planning uses to
drop proposals. Pure: texts and parsed values in, violations out.
"""

from __future__ import annotations

from autotune_bot.errors import AutotuneError
from autotune_bot.patch.apply import apply_edits
from autotune_bot.settings.models import Constraints
from autotune_bot.tuning.suggestion import OptimizationSuggestion
from autotune_bot.validation.graph_constraints import check_graph
from autotune_bot.validation.rule_constraints import (
    check_estimate,
    check_protected,
    has_protected_role,
    protected_file_pattern,
)
from autotune_bot.validation.violations import (
    GRAPH_RULES,
    RULES,
    USER_RULES,
    ConstraintCheck,
    ConstraintViolation,
)
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowFile

__all__ = [
    "GRAPH_RULES",
    "RULES",
    "USER_RULES",
    "ConstraintCheck",
    "ConstraintViolation",
    "check_estimate",
    "check_graph",
    "check_patched_file",
    "check_patched_text",
    "check_protected",
    "check_suggestion",
    "has_protected_role",
    "protected_file_pattern",
]


def check_patched_file(
    before: WorkflowFile, after: WorkflowFile, constraints: Constraints | None = None
) -> list[ConstraintViolation]:
    """The graph rules every definition of ``after`` breaks compared with ``before`` (matched
    by name), and, with ``constraints``, the protected files, nodes and roles it breaks."""
    out: list[ConstraintViolation] = []
    changed = {d.name: d for d in after.workflows}
    for wf in before.workflows:
        new = changed.get(wf.name)
        if new is None:
            message = f"workflow '{wf.name}' is gone from the file"
            out.append(ConstraintViolation("graph.missing_workflow", before.path, None, message))
        else:
            out += check_graph(wf, new)
    if constraints is not None:
        out += check_protected(before, after, constraints)
    return out


def check_patched_text(
    before: WorkflowFile, new_text: str, constraints: Constraints | None = None
) -> list[ConstraintViolation]:
    """:func:`check_patched_file` on ``new_text``, the file's changed text (an unchanged text
    breaks nothing). Raises :class:`~autotune_bot.errors.InputError` when it does not load."""
    if new_text == before.text:
        return []
    return check_patched_file(before, parse_workflow_text(new_text, before.path), constraints)


def check_suggestion(
    suggestion: OptimizationSuggestion, wf_file: WorkflowFile, constraints: Constraints
) -> ConstraintCheck:
    """Every rule the suggestion would break in ``wf_file`` (its changes applied to the text),
    and the estimate limits. Changes that cannot be applied leave the file rules unchecked
    (applying reports why)."""
    result = check_estimate(suggestion.estimate, constraints, wf_file.path)
    edits = [c.edit for c in suggestion.changes if c.file == wf_file.path]
    if not edits:
        return result
    try:
        new_text = apply_edits(wf_file.text, edits, wf_file.path)
        found = check_patched_text(wf_file, new_text, constraints)
    except AutotuneError as err:
        return result + ConstraintCheck(unchecked=(f"file rules not checked: {err}",))
    return result + ConstraintCheck(tuple(found))
