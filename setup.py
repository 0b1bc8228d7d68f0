"""The wheel carries what the app reads beside its code.

templates/, static/ and migrations/ stay at the repository root (``make run`` and editable
installs read them there); a built wheel copies them into the package as ``survey/templates``,
``survey/static`` and ``survey/migrations``, and compiles each ``messages.po`` into its
``messages.mo``, so an installed server writes nothing of its own to serve Chinese pages.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
ASSETS = ("templates", "static", "migrations")


class BuildWithAssets(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout, where everything already is
        package = Path(self.build_lib) / "survey"
        for name in ASSETS:
            shutil.rmtree(package / name, ignore_errors=True)  # nothing stale from a last build
            shutil.copytree(
                HERE / name,
                package / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        compile_catalogues(package / "translations")


def compile_catalogues(target: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (HERE / "survey" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(HERE / "survey" / "translations").with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source, mo.open("wb") as out:
            write_mo(out, read_po(source))


setup(cmdclass={"build_py": BuildWithAssets})
