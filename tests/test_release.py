"""The exercise notebooks: student copies are exactly what the release command writes, no solution
leaks into them, the nbgrader metadata agrees with the tasks, the graded cells stand on their
own, and every name a notebook tells the learner to use exists in the package."""

import ast
import contextlib
import copy
import importlib
import inspect
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_grading_support import notebook as make_notebook
from test_grading_support import save

from bp_lessons.exercises import EXERCISES, graded_course, tasks
from bp_lessons.exercises.check import COURSE
from bp_lessons.exercises.release import BEGIN, END, main, stub_out, student_copy
from bp_lessons.grading.cli import main as grading_main

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "exercises" / "source").glob("[0-9][0-9]_*.ipynb"))
STUDENTS = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=4)


def without_outputs(notebook):
    """The notebook as nbformat writes it, with no outputs and no execution counts."""
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(notebook)


def cells(notebook, grade_id):
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]


def split_solutions(notebook):
    """(the lines between the solution markers, every other line) of a source notebook."""
    solution, rest, inside = [], [], False
    for cell in notebook.cells:
        for line in cell.source.split("\n"):
            if line.strip() in (BEGIN, END):
                inside = line.strip() == BEGIN
            elif line.strip():
                (solution if inside else rest).append(line.strip())
    return solution, rest


def all_text(notebook):
    """Every source line and every output line of a notebook."""
    texts = []
    for cell in notebook.cells:
        texts.append(cell.source)
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            texts.extend(str(value) for value in output.get("data", {}).values())
    return "\n".join(texts)


def by_lesson(paths):
    """One pytest param per notebook, tagged with its lesson's marker."""
    return [
        pytest.param(
            path,
            id=str(path.relative_to(ROOT)),
            marks=getattr(pytest.mark, f"lesson{path.stem[:2]}"),
        )
        for path in paths
    ]


each_source = pytest.mark.parametrize("source", by_lesson(SOURCES))


def student_of(source):
    return ROOT / "exercises" / source.name


# --- the release -------------------------------------------------------------------------------


def test_every_exercise_has_a_source_and_a_student_copy():
    names = [path.stem for path in SOURCES]
    assert names == list(EXERCISES), "one source notebook per registered exercise, same names"
    assert [path.name for path in STUDENTS] == [path.name for path in SOURCES]


@each_source
def test_the_committed_student_copy_is_exactly_the_release_output(source):
    released = nbformat.writes(student_copy(read(source)))
    committed = read(student_of(source))
    assert without_outputs(committed) == released, (
        "the student copy is stale: run `python -m bp_lessons.exercises release` "
        f"{source.relative_to(ROOT)}"
    )


@each_source
def test_no_solution_line_appears_in_the_student_copy(source):
    assert leaks(read(source), read(student_of(source))) == []
    assert leaks(read(source), read(source)), "the check finds the solutions where they are"


def leaks(source, student):
    """The solution lines of source that appear in student, other than those the source also
    shows outside its solutions (a function's signature, a spec the text quotes)."""
    solution, rest = split_solutions(source)
    assert solution, "a source notebook with no solutions"
    shown, shown_lines = "\n".join(rest), set(rest)
    text = all_text(student)
    lines = {line.strip() for line in text.split("\n")}
    return [
        line
        for line in solution
        if line not in shown_lines
        and not (len(line) >= 12 and line in shown)
        and (line in lines or (len(line) >= 12 and line in text))
    ]


@each_source
def test_each_stub_names_its_exercise_and_keeps_the_signature(source):
    exercise = source.stem
    student = read(student_of(source))
    for k, task in enumerate(tasks(exercise), 1):
        (answer,) = cells(read(source), f"q{k}")
        (stub,) = cells(student, f"q{k}")
        raised = f'raise NotImplementedError("Exercise {task.number}: write {task.function}")'
        assert raised in stub.source
        assert signature(stub.source, task.function) == signature(answer.source, task.function)


def signature(source, name):
    (function,) = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == name
    ]
    return ast.dump(function.args)


# --- nbgrader metadata and the contract with the grader -------------------------------------


@each_source
def test_nbgrader_metadata_matches_the_tasks(source):
    exercise = source.stem
    its_tasks = tasks(exercise)
    for notebook in (read(source), read(student_of(source))):
        assert notebook.metadata["bp_lessons"] == {"exercise": exercise}
        assert notebook.metadata["kernelspec"]["name"] == "python3"
        graded = [c.metadata["nbgrader"] for c in notebook.cells if "nbgrader" in c.metadata]
        grade_ids = [meta["grade_id"] for meta in graded]
        assert len(grade_ids) == len(set(grade_ids)), f"repeated grade_id in {grade_ids}"
        expected = ["setup"] + [
            grade_id
            for k in range(1, len(its_tasks) + 1)
            for grade_id in (f"q{k}_text", f"q{k}", f"q{k}_check")
        ]
        assert grade_ids == expected, "setup, then text, answer and check for every task in order"
        assert all(meta["schema_version"] == 3 and meta["task"] is False for meta in graded)
        (setup,) = cells(notebook, "setup")
        assert setup.cell_type == "code" and flags(setup) == (False, True, False)
        for k, task in enumerate(its_tasks, 1):
            (text,) = cells(notebook, f"q{k}_text")
            (answer,) = cells(notebook, f"q{k}")
            (check,) = cells(notebook, f"q{k}_check")
            assert text.cell_type == "markdown" and flags(text) == (False, True, False)
            assert answer.cell_type == "code" and flags(answer) == (False, False, True)
            assert f"def {task.function}(" in answer.source
            assert check.cell_type == "code" and flags(check) == (True, True, False)
            assert check.metadata["nbgrader"]["points"] == task.points
            assert check.source == f"q{k}.check({task.function})"
            # a check that fails raises (nbgrader scores it 0); with this tag JupyterLab's Run
            # All, nbclient and nbval go on past it
            assert "raises-exception" in check.metadata.get("tags", [])
            assert f"Exercise {task.number} · `{task.function}`" in text.source


def flags(cell):
    meta = cell.metadata["nbgrader"]
    return meta["grade"], meta["locked"], meta["solution"]


@each_source
def test_the_setup_imports_the_tasks_and_nothing_a_task_forbids(source):
    exercise = source.stem
    its_tasks = tasks(exercise)
    (setup,) = cells(read(source), "setup")
    imported = imported_names(setup.source)
    module = EXERCISES[exercise]
    assert {f"{module}.q{k}" for k in range(1, len(its_tasks) + 1)} <= imported
    forbidden = {name for task in its_tasks for name in task.forbidden}
    assert not imported & forbidden, f"the setup cell hands out {imported & forbidden}"


def imported_names(code):
    """Fully qualified names a piece of code imports: "bp_lessons.layer.layer_forward"."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom):
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return names


@each_source
def test_the_graded_cells_alone_give_full_marks_in_the_source_and_none_in_the_student_copy(
    source,
):
    """What the grader runs: the setup cell and the answer cells, in order, nothing else."""
    its_tasks = tasks(source.stem)
    for path, expected in ((source, "passed"), (student_of(source), "not attempted")):
        notebook = read(path)
        namespace = {}
        for grade_id in ["setup"] + [f"q{k}" for k in range(1, len(its_tasks) + 1)]:
            (cell,) = cells(notebook, grade_id)
            exec(compile(cell.source, f"{path.name}:{grade_id}", "exec"), namespace)
        for task in its_tasks:
            result = task.evaluate(namespace[task.function])
            assert result.status == expected, f"{path.name}: {result}"


@each_source
def test_the_committed_checks_show_a_pass_in_the_source_and_not_attempted_for_students(source):
    its_tasks = tasks(source.stem)
    for path, shown in (
        (source, "✓ Exercise {}"),
        (student_of(source), "Exercise {} not attempted"),
    ):
        notebook = read(path)
        for k, task in enumerate(its_tasks, 1):
            (check,) = cells(notebook, f"q{k}_check")
            text = "".join(o.get("data", {}).get("text/plain", "") for o in check.outputs)
            assert text.startswith(shown.format(task.number)), f"{path.name} q{k}: {text!r}"


# --- what a notebook tells the learner -------------------------------------------------------


@each_source
def test_the_title_names_the_lesson_and_every_link_resolves(source):
    number = source.stem[:2]
    lesson = ROOT / "notebooks" / source.name
    first = read(source).cells[0].source
    title = re.match(r"# Exercise (\d\d) · (.+)", first)
    assert title and title.group(1) == number
    if lesson.exists():
        lesson_title = re.match(r"# \d\d · (.+)", read(lesson).cells[0].source).group(1)
        assert title.group(2).strip() == lesson_title.strip(), "the lesson's own title"
    assert f"](../../notebooks/{source.name})" in first
    for path in (source, student_of(source)):
        for cell in read(path).cells:
            if cell.cell_type == "markdown":
                for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", cell.source):
                    assert (path.parent / target).resolve().exists(), f"{path.name}: {target}"


@pytest.mark.parametrize("source", by_lesson(SOURCES + STUDENTS + LESSONS))
def test_every_name_a_notebook_tells_the_learner_to_use_exists(source):
    text = "\n".join(cell.source for cell in read(source).cells)
    names = set(re.findall(r"\bbp_lessons(?:\.[A-Za-z_]\w*)*", text))
    for module, imported in re.findall(r"from (bp_lessons[\w.]*) import (\([^)]*\)|[^\n]+)", text):
        imported = re.sub(r"#[^\n]*", "", imported)  # a comment after the names
        names |= {f"{module}.{name}" for name in re.findall(r"(\w+)(?:\s+as\s+\w+)?", imported)}
    for name, module in re.findall(r"`(\w+)(?:\([^`]*\))?` from `(bp_lessons[\w.]*)`", text):
        names.add(f"{module}.{name}")
    for cell in read(source).cells:
        if cell.cell_type == "code":
            names |= imported_names(cell.source) & {n for n in names if n.startswith("bp_")}
    assert names, "a notebook that names nothing from the package"
    for name in sorted(names):
        assert resolves(name), f"{source.name} names {name}, which the package does not have"


def resolves(name):
    """True when a dotted name is a module of bp_lessons or an attribute inside one."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_the_name_check_itself_rejects_a_missing_name():
    assert resolves("bp_lessons.layer.layer_forward") and resolves("bp_lessons.exercises.loss")
    assert not resolves("bp_lessons.layer.layer_backward")
    assert not resolves("bp_lessons.no_such_module")


# --- the release command ---------------------------------------------------------------------


def release(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "bp_lessons.exercises", "release", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_the_command_writes_every_student_copy(tmp_path):
    result = release("--out", tmp_path, "--no-execute")
    assert result.returncode == 0, result.stderr
    for path in SOURCES:
        written = (tmp_path / path.name).read_text(encoding="utf-8")
        assert written == without_outputs(read(student_of(path))) + "\n"


@pytest.mark.parametrize("source", by_lesson(SOURCES[:1]))
def test_the_command_executes_its_copy_into_the_committed_file(source, tmp_path):
    result = release(source, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    written, committed = read(tmp_path / source.name), read(student_of(source))
    for notebook in (written, committed):  # the Python version that ran it may differ
        notebook.metadata.pop("language_info", None)
    assert nbformat.writes(written) == nbformat.writes(committed)


def test_the_command_rejects_broken_sources_with_a_clear_message(tmp_path):
    notebook = read(SOURCES[0])
    (answer,) = cells(notebook, "q1")
    answer.source = answer.source.replace(END, "")
    broken = tmp_path / "source" / SOURCES[0].name
    broken.parent.mkdir()
    nbformat.write(notebook, broken)
    result = release(broken, "--no-execute")
    assert result.returncode == 1 and "has no ### END SOLUTION" in result.stderr
    assert not (tmp_path / SOURCES[0].name).exists()

    notebook = read(SOURCES[0])
    notebook.cells[0].source += f"\n{BEGIN}\nthe answer\n{END}"
    nbformat.write(notebook, broken)
    result = release(broken, "--no-execute")
    assert result.returncode == 1 and "is not an answer cell" in result.stderr

    assert release(tmp_path / "missing.ipynb").returncode == 2
    assert "no notebooks in exercises/source" in release(cwd=tmp_path).stderr


def test_stub_out_keeps_the_indentation_and_what_surrounds_the_block():
    code = f'def f(x):\n    """doc"""\n    {BEGIN}\n    return x\n    {END}\n\n\nY = 1'
    stub = '    raise NotImplementedError("Exercise 1.1: write f")'
    assert stub_out(code, "1.1", "f") == f'def f(x):\n    """doc"""\n{stub}\n\n\nY = 1'
    with pytest.raises(ValueError, match="without a"):
        stub_out(f"{END}", "1.1", "f")
    with pytest.raises(ValueError, match="inside another"):
        stub_out(f"{BEGIN}\n{BEGIN}", "1.1", "f")


def test_a_graded_release_turns_solutions_off_politely_and_the_grader_still_grades_it(tmp_path):
    source = ROOT / "exercises" / "source" / "01_neuron.ipynb"
    assert main(["release", str(source), "--out", str(tmp_path), "--graded", "--no-execute"]) == 0
    copy = read(tmp_path / "01_neuron.ipynb")
    (setup,) = cells(copy, "setup")
    assert setup.source.endswith("graded_course(hints=True)  # set by your instructor: graded "
                                 "work, no solutions shown")  # fmt: skip
    namespace: dict = {}
    exec(setup.source, namespace)
    try:
        with contextlib.redirect_stdout(io.StringIO()) as shown:
            namespace["q1"].solution()
            namespace["q1"].hint()
        assert "The solution of Exercise 1.1 is not shown in this course" in shown.getvalue()
        assert "Hint " in shown.getvalue() and "Hints are off" not in shown.getvalue()
        graded_course(hints=False)
        with contextlib.redirect_stdout(io.StringIO()) as shown:
            namespace["q1"].hint()
        assert "Hints are off for Exercise 1.1 in this course" in shown.getvalue()
    finally:
        COURSE.update(graded=False, hints=True)
    answers = {1: inspect.getsource(tasks("01_neuron")[0].reference)}
    save(tmp_path / "class", "s.ipynb", make_notebook(answers, setup=setup.source))
    assert grading_main([str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 0
    assert json.loads((tmp_path / "out" / "s" / "results.json").read_text())["score"] == 1


def test_keep_solutions_writes_the_graded_source_for_an_nbgrader_course(tmp_path):
    source = ROOT / "exercises" / "source" / "04_chain_rule.ipynb"
    argv = ["release", str(source), "--out", str(tmp_path), "--graded", "--keep-solutions"]
    assert main(argv) == 0
    written = read(tmp_path / source.name)
    (setup,) = cells(written, "setup")
    assert "graded_course(hints=True)" in setup.source
    assert any("### BEGIN SOLUTION" in cell.source for cell in written.cells)
    assert all(not c.get("outputs") for c in written.cells if c.cell_type == "code")
    with pytest.raises(SystemExit):
        main(["release", str(source), "--keep-solutions", "--out", str(tmp_path)])
