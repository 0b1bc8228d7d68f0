"""Files in and out in the shapes reviewers know: exports (``exports``; the sheet-building pieces in
``tables`` and ``sheet_style``; the appraisal's in ``appraisal_export``) with their words
(``export_words``), and roll and organisation imports (``imports``, ``import_words``). Reads the
features; no feature imports files.
"""
