# nbgrader_config.py for a bp-lessons course, for nbgrader 0.9 (the `nbgrader` extra).
# Copy it into your course folder (the folder that holds source/) and edit the marked lines.
# tests/test_nbgrader_config.py runs nbgrader 0.9 with this very file and fails on any
# "not recognized" warning: nbgrader 0.9 reads every option below.
#
# What is NOT here, on purpose: nbgrader 0.9 ignores the old `NbGrader.db_students` and
# `NbGrader.db_assignments` lists (with the warning "not recognized"). Add students with
# `nbgrader db student import students.csv` (or let autograde add those it finds in submitted/);
# `nbgrader generate_assignment ps1` adds the assignment.

c = get_config()  # noqa: F821  (nbgrader provides get_config when it reads this file)

# Your course's name: a student's fetched copy goes to ~/<course_id>/<assignment>/ when the
# student takes more than one course, and the exchange keeps courses apart by it.   EDIT
c.CourseDirectory.course_id = "bp"

# The exchange where release, fetch and submit meet: a folder every student can read and
# write, on the machine (or JupyterHub) you teach on.   EDIT (the default is
# /usr/local/share/nbgrader/exchange)
c.Exchange.root = "/srv/nbgrader/exchange"

# A notebook's cells may train a small network (lessons 08-10): give autograde time to run
# them. bp-grade, the grade of record, has its own limit per task (--timeout, 10 s).
c.Execute.timeout = 120

# Keep nbgrader's stub for a cell without solution markers; the bp-lessons checks report it
# as "not attempted", as they do the release command's own stubs.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
