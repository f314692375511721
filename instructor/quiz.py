"""The quiz bank: multiple-choice questions per lesson, read from instructor/quiz/NN_x.md, checked,
and exported to Moodle's GIFT and to QTI for Canvas (with text2qti).

    .venv/bin/python instructor/quiz.py             # check the bank, say what is wrong
    .venv/bin/python instructor/quiz.py --out DIR   # and export it: DIR/bp-lessons.gift, DIR/*.zip

A quiz file is Markdown, shown as it is in the private build. Each question is a section:

    ## 04.1 · The sigmoid's slope

    The question, one or more paragraphs.

    - [x] the right answer
    - [ ] a wrong answer
      - check 4.2: That uses the notes'
    - [ ] another wrong answer

    **Why:** one line: why the right answer is right.

A wrong option may name the check mistake it is (`check TASK: ` and the start of that mistake's
message, as `bp_lessons.exercises` words it): the exports give that message as the option's
feedback, and the bank's check fails if the mistake is renamed or gone.
"""

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADING = re.compile(r"^## (\d\d)\.(\d+) · (.+)$")
OPTION = re.compile(r"^- \[( |x)\] (.+)$")
CHECK = re.compile(r"^  - check (\d+\.\d+): (.+)$")
WHY = "**Why:** "
MIN_PER_LESSON = 5
GIFT_SPECIAL = re.compile(r"([~=#{}:\\])")


@dataclass
class Option:
    text: str
    right: bool
    task: str = ""  # the check's task ("4.2") whose named mistake this wrong option is
    says: str = ""  # the start of that mistake's message, as the quiz file quotes it
    message: str = ""  # the whole message, found in the checks by `check`


@dataclass
class Question:
    lesson: str  # "04"
    number: int
    title: str
    stem: str
    options: list[Option] = field(default_factory=list)
    why: str = ""
    where: str = ""  # file:line, for messages

    @property
    def id(self) -> str:
        return f"{self.lesson}.{self.number}"

    @property
    def answer(self) -> Option:
        return next(option for option in self.options if option.right)


def parse(path: Path) -> tuple[str, list[Question]]:
    """The quiz's title (its "# " line) and its questions; ValueError on a line out of place."""
    lines = path.read_text(encoding="utf-8").splitlines()
    title, questions = "", []
    stem: list[str] = []
    state = "intro"  # intro, stem, options, why
    for n, line in enumerate(lines, 1):
        where = f"{path.name}:{n}"
        heading = HEADING.match(line)
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif heading:
            if questions:
                finish(questions[-1], stem)
            questions.append(
                Question(heading[1], int(heading[2]), heading[3].strip(), "", where=where)
            )
            stem, state = [], "stem"
        elif state == "intro":
            continue
        elif (option := OPTION.match(line)) and state in ("stem", "options"):
            questions[-1].options.append(Option(option[2].strip(), option[1] == "x"))
            state = "options"
        elif (check := CHECK.match(line)) and state == "options":
            last = questions[-1].options[-1]
            last.task, last.says = check[1], check[2].strip()
        elif line.startswith(WHY) and state == "options":
            questions[-1].why = line[len(WHY) :].strip()
            state = "why"
        elif state == "stem":
            stem.append(line)
        elif state == "why" and line.strip():
            questions[-1].why += " " + line.strip()
        elif line.strip():
            raise ValueError(f"{where}: expected an option, its check or {WHY!r}, got {line!r}")
    if questions:
        finish(questions[-1], stem)
    return title, questions


def finish(question: Question, stem: list[str]) -> None:
    paragraphs = re.split(r"\n\s*\n", "\n".join(stem).strip())
    question.stem = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def load(folder: Path = HERE / "quiz") -> dict[str, tuple[str, list[Question]]]:
    """Every quiz file of the folder: its stem ("04_chain_rule") -> (title, questions)."""
    return {path.stem: parse(path) for path in sorted(folder.glob("[0-9][0-9]_*.md"))}


def same(text: str) -> str:
    return " ".join(text.lower().split())


def check(bank: dict[str, tuple[str, list[Question]]]) -> list[str]:
    """What is wrong with the bank ([] when nothing): per question one right answer, distinct
    options, a why; every named check mistake found; enough questions per lesson."""
    from bp_lessons.exercises import EXERCISES, tasks

    by_number = {t.number: t for e in EXERCISES for t in tasks(e)}
    problems = []
    for stem, (title, questions) in bank.items():
        if not title:
            problems.append(f"{stem}: no '# ' title")
        if len(questions) < MIN_PER_LESSON:
            problems.append(f"{stem}: {len(questions)} questions, fewer than {MIN_PER_LESSON}")
        for k, q in enumerate(questions, 1):
            at = f"{q.where} ({q.id})"
            if q.lesson != stem[:2] or q.number != k:
                problems.append(f"{at}: expected question {stem[:2]}.{k}")
            if not q.stem:
                problems.append(f"{at}: no question text")
            if sum(o.right for o in q.options) != 1:
                problems.append(f"{at}: {sum(o.right for o in q.options)} right answers, not 1")
            if len(q.options) < 3:
                problems.append(f"{at}: {len(q.options)} options, fewer than 3")
            if len({same(o.text) for o in q.options}) != len(q.options):
                problems.append(f"{at}: two options say the same")
            if not q.why:
                problems.append(f"{at}: no {WHY.strip()} line")
            for option in q.options:
                if not option.task:
                    continue
                task = by_number.get(option.task)
                mistakes = task.mistakes if task else []
                found = list(
                    dict.fromkeys(m.message for m in mistakes if m.message.startswith(option.says))
                )
                if option.right:
                    problems.append(f"{at}: the right answer is named as check mistake")
                elif task is None or len(found) != 1:
                    problems.append(
                        f"{at}: check {option.task} has {len(found) if task else 'no'} mistake "
                        f"messages starting {option.says!r}; expected exactly one"
                    )
                else:
                    option.message = found[0]
    return problems


def quizzed(bank: dict[str, tuple[str, list[Question]]]) -> dict[str, list[str]]:
    """Each named check mistake that is a wrong option -> the ids of its questions ("04.1")."""
    check(bank)  # fills in the messages
    found: dict[str, list[str]] = {}
    for _, questions in bank.values():
        for q in questions:
            for option in q.options:
                if option.message:
                    found.setdefault(option.message, []).append(q.id)
    return found


# --- GIFT (Moodle) ------------------------------------------------------------------------------
def gift_text(text: str) -> str:
    """Text for GIFT: its special characters escaped, paragraphs kept as \\n."""
    return GIFT_SPECIAL.sub(r"\\\1", text).replace("\n", "\\n")


def gift(bank: dict[str, tuple[str, list[Question]]]) -> str:
    """The whole bank as one GIFT file, a category per lesson, Markdown text."""
    out = ["// bp-lessons quiz bank, written by instructor/quiz.py from instructor/quiz/", ""]
    for title, questions in bank.values():
        out += [f"$CATEGORY: bp-lessons/{gift_text(title)}", ""]
        for q in questions:
            out.append(f"::{gift_text(q.id + ' ' + q.title)}::[markdown]{gift_text(q.stem)} {{")
            for option in q.options:
                feedback = f"#{gift_text(option.message)}" if option.message else ""
                out.append(f"\t{'=' if option.right else '~'}{gift_text(option.text)}{feedback}")
            out += [f"\t####{gift_text(q.why)}", "}", ""]
    return "\n".join(out)


# --- QTI (Canvas), through text2qti ---------------------------------------------------------------
def text2qti_text(title: str, questions: list[Question]) -> str:
    """One lesson's quiz in text2qti's plain-text format."""

    def block(start: str, text: str) -> list[str]:
        first, *rest = text.split("\n")
        return [f"{start} {first}"] + [(" " * (len(start) + 1) + line).rstrip() for line in rest]

    out = [f"Quiz title: {title}", "Shuffle answers: true", ""]
    for k, q in enumerate(questions, 1):
        out += [f"Title: {q.id} · {q.title}"]
        out += block(f"{k}.", q.stem)
        out += block("...", q.why)
        for letter, option in zip("abcdefghij", q.options):
            out += block(f"{'*' if option.right else ''}{letter})", option.text)
            if option.message:
                out += block("...", option.message)
        out.append("")
    return "\n".join(out)


def qti_zip(title: str, questions: list[Question]) -> bytes:
    """One lesson's quiz as a QTI package for Canvas (a zip), made by text2qti."""
    try:
        from text2qti.config import Config
        from text2qti.qti import QTI
        from text2qti.quiz import Quiz
    except ImportError as error:
        raise ModuleNotFoundError(
            "the QTI export needs text2qti, which the instructor extra installs: "
            "pip install -e '.[instructor]' (make instructor does it)"
        ) from error

    quiz = Quiz(text2qti_text(title, questions), config=Config(), source_name=title)
    return QTI(quiz).zip_bytes()


def export(bank: dict[str, tuple[str, list[Question]]], out: Path) -> list[Path]:
    """Write the bank as DIR/bp-lessons.gift and a QTI zip per lesson; return the files."""
    problems = check(bank)
    if problems:
        raise ValueError("the quiz bank has problems:\n" + "\n".join(problems))
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "bp-lessons.gift"]
    written[0].write_text(gift(bank), encoding="utf-8")
    for stem, (title, questions) in bank.items():
        path = out / f"{stem}.qti.zip"
        path.write_bytes(qti_zip(title, questions))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="export the bank into this folder")
    args = parser.parse_args(argv)
    bank = load()
    problems = check(bank)
    for line in problems:
        print(line)
    if problems:
        return 1
    count = sum(len(questions) for _, questions in bank.values())
    print(f"{count} questions in {len(bank)} quizzes")
    if args.out:
        for path in export(bank, args.out):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
