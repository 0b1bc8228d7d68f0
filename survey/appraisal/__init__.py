"""民主评议党员 (member appraisal): the roll frozen at creation, the ballot's rows, the per-member
counts and the committee's final grades (``operations``). Imports core, models, staff and the
ballot box; never polls, campaigns, files or a door.
"""

from survey.appraisal.operations import (
    GRADES,
    MAX_APPRAISEES,
    MAX_REASON,
    MEMBER_APPRAISAL,
    SORTS,
    appraisees,
    ballot_rows,
    final_grade_json,
    freeze_roll,
    is_appraisal,
    must_answer_all,
    needs_reason,
    overview,
    read_rows,
    record_final_grade,
    record_final_grades,
    refreeze_roll,
    results,
    row_counts,
    suggested_grade,
    with_final_grades,
)

__all__ = [
    "GRADES",
    "MAX_APPRAISEES",
    "MAX_REASON",
    "MEMBER_APPRAISAL",
    "SORTS",
    "appraisees",
    "ballot_rows",
    "final_grade_json",
    "freeze_roll",
    "is_appraisal",
    "must_answer_all",
    "needs_reason",
    "overview",
    "read_rows",
    "record_final_grade",
    "record_final_grades",
    "refreeze_roll",
    "results",
    "row_counts",
    "suggested_grade",
    "with_final_grades",
]
