"""`python -m bp_lessons.grading ...` is the `bp-grade` command."""

import sys

from bp_lessons.grading.cli import main

sys.exit(main())
