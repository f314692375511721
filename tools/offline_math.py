"""MathJax 3.2.2 served with what the project builds (the website, the instructor build, the
slides), so that formulas render with no network: copied from the PyPI package
django-static-mathjax (pinned in the `site` and `slides` extras; MathJax's es5 build as released,
it needs no Django)."""

import shutil
from importlib.metadata import distribution
from pathlib import Path


def copy_mathjax(target: Path, entry: str) -> None:
    """MathJax's browser build into `target`: the page's script `entry` (such as
    "tex-mml-chtml.js"), the TeX extensions it loads on demand, the CHTML output and its fonts,
    the accessibility parts its menu offers, and its licence; not the other combined builds nor
    the SVG output, which no page loads."""
    mathjax = Path(distribution("django-static-mathjax").locate_file("mathjax/static/mathjax"))
    es5 = mathjax / "es5"

    def unused(folder, names):
        if Path(folder) == es5:
            return [name for name in names if name.endswith(".js") and name != entry]
        if Path(folder) == es5 / "output":
            return ["svg", "svg.js"]
        return []

    shutil.copytree(es5, target, ignore=unused, dirs_exist_ok=True)
    shutil.copy2(mathjax / "LICENSE", Path(target, "LICENSE"))
