"""The grader: `bp-grade` runs submitted exercise notebooks in a sandbox and judges them here.

The judge is trusted and the submission is not. The submission's setup and answer cells run in
a child process per task, behind resource limits, forked from a clean zygote process that never
holds the judge's secrets; the child sends back its answers as JSON, and the judge compares them
in its own process with `task.judge`. One module per piece:

    collect     which files are submissions, and a safe, unique name for each
    notebook    reading a submission: its exercise and its graded cells (parsed, never run)
    forbidden   what the graded cells import or reach, read from their syntax tree
    sandbox     the judge's side: the zygote, one child per task, the replies read as data
    zygote      the clean process that forks the children
    child       inside a child: the cells, the calls, the replies
    isolation   the child's walls: memory, CPU time, no files, no processes, not root
    judge       a submission task by task, with the run's secret seed
    verdict     from a child's replies to a score and the text the learner reads
    batch       a class: read everything first, then grade in parallel
    report      results.json (Gradescope's format) and grades.csv
    progress    the progress bar
    bundle      the Gradescope autograder zip
    cli         the `bp-grade` command
"""

from bp_lessons.grading.batch import grade_files
from bp_lessons.grading.judge import Grade

__all__ = ["Grade", "grade_files"]
