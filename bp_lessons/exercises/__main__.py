"""`python -m bp_lessons.exercises release`: see bp_lessons.exercises.release."""

import sys

from bp_lessons.exercises.release import main

sys.exit(main())
