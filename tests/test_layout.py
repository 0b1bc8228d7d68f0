"""The house's layout holds: feature packages under the doors, and the import rules written in
pyproject.toml (import-linter) kept -- checked here so that CI fails on a forbidden import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
MAX_TOP_MODULES = 12


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: install the test extras (make install)")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120
    )


def copy_of_the_package(tmp_path: Path) -> Path:
    for name in ("survey", "forms"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_keeps_its_import_rules():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        # a feature reading files: files read features, never the other way
        ("survey/polls/answers.py", "from survey.files import exports", "Floors"),
        # appraisal and polls never import each other
        ("survey/appraisal/operations.py", "from survey.polls import complaints", "Floors"),
        # core imports no feature
        ("survey/core/links.py", "from survey.ballotbox import ballots", "Floors"),
        # the engine imports nothing of the package
        ("survey/rules/engine.py", "from survey.core import scales", "Floors"),
        # only the doors commit
        ("survey/ballotbox/ballots.py", "from survey.core import transactions", "commit"),
    ],
)
def test_a_forbidden_import_breaks_the_rules(tmp_path, module, forbidden, contract):
    tree = copy_of_the_package(tmp_path)
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{forbidden}  # noqa\n", "utf-8")
    run = lint_imports(tree)
    assert run.returncode != 0, run.stdout
    assert "BROKEN" in run.stdout and contract in run.stdout


def test_survey_holds_few_modules_at_its_top_level():
    top = sorted(p.name for p in (ROOT / "survey").glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top
    packages = {p.name for p in (ROOT / "survey").iterdir() if (p / "__init__.py").exists()}
    assert {"core", "staff", "ballotbox", "appraisal", "polls", "campaigns"} <= packages
    assert {"rating", "files", "models", "rules", "views", "api"} <= packages
