"""The grader: `bp-grade` runs submitted exercise notebooks in a sandbox and judges them here.

The judge is trusted and the submission is not. Each task of a submission (its setup and
answer cells, then the learner's function on the cases) runs in a fresh Python of its own,
walled in by bubblewrap or Landlock, that sees the Python installation and a copy of bp_lessons
made for that task, without the reference solutions, the checks or what the task forbids. It
sends back its answers as JSON; the judge compares them in its own process with `task.judge`,
and judges every rule there too (arguments left unchanged, calls to what a task forbids). A
failure while judging one notebook becomes that notebook's row: a run always writes every
report. One module per piece:

    collect     which files are submissions, and a safe, unique name for each
    notebook    reading a submission: its exercise and its graded cells (parsed, never run)
    view        the copy of bp_lessons a task's sandbox sees
    sandbox     the judge's side: the walls, one child per task, the replies read as data
    child       inside a child: the cells, the calls, the replies
    isolation   the walls a child raises itself: no privileges, limits, Landlock
    landlock    the kernel's Landlock interface (rules on resolved paths, no link followed)
    seccomp     the system calls no task may make (libseccomp)
    judge       a submission task by task, with the run's secret seed and a time budget
    copies      answers that copy a reference solution (marked for the instructor)
    verdict     from a child's replies to a score and the text the learner reads
    batch       a class: read everything first, then grade in parallel
    report      results.json (Gradescope's format) and grades.csv
    gradebook   a row per student, and each student's feedback page
    points      the points per task, from the instructor's source notebooks
    progress    the progress bar
    bundle      the Gradescope autograder zip
    cli         the `bp-grade` command
"""

from bp_lessons.grading.batch import grade_files
from bp_lessons.grading.judge import Grade

__all__ = ["Grade", "grade_files"]
