"""Minimal, verified edits of YAML files.

``apply.apply_edits`` applies the edit values of ``edits`` to a file's text, ``diff.unified_diff``
shows the change and ``error.PatchError`` is what a refused edit raises. (Nothing is imported
here, so that reading edit values does not load the YAML parser.)
"""
