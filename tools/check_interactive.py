"""Check the notebooks' interactive sections in a live JupyterLab, driven in headless Chromium as a user would.

Usage: ``python tools/check_interactive.py [--section-only NOTEBOOK]... [--redraw-seconds S] NOTEBOOK...``, which
``make check-interactive`` runs. Nothing committed changes: JupyterLab (on 127.0.0.1, a free port, a random token,
its own settings, workspace, data and runtime folders) serves a temporary copy of the notebooks' folder (with the
modules beside them), and the figures go to a temporary folder (``COURSEWORK_FIGURES_DIR``). The browser is Debian's
Chromium, started here and driven through Playwright; nothing downloads a browser. For each notebook:

1. Open it, and save it (Ctrl+S) once its kernel is ready, before any cell runs: the file must stay byte-identical
   to the committed one, which is so when the notebook is committed as JupyterLab writes it
   (``tools/normalize_notebooks.py``).
2. Run it: every code cell in order, as Run All does, or, for a notebook named by ``--section-only``, what a reader
   runs in a fresh kernel to explore: its first code cell (the imports) and the code cells after its last heading
   (the interactive section, which loads what it needs: :func:`section_cells`).
3. Move every control of the interactive section: each slider one step with the arrow key, each dropdown to its
   next option, each file upload with a small PNG made here and then with a text file (which must leave one line of
   text and the figure as it was), and then each slider once more with a mouse click on its track (after an upload
   the sliders must still redraw). After each move the figure (every image in the section's output) must change,
   and the kernel go idle, within ``--redraw-seconds``: the default is several times the slowest redraw measured
   (docs/interactive.md).
4. No cell output and no widget output may hold an error or stderr, and the browser console may log no error.

It stops the server and the browser it started, by their process ids, and exits 1 naming each failure (the notebook,
and the control that failed), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from common import HEADLESS_FLAGS
from PIL import Image
from playwright.sync_api import BrowserContext, Error, Locator, sync_playwright

CHROMIUM_FLAGS = (
    *HEADLESS_FLAGS,
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # offline: JupyterLab must work from 127.0.0.1 alone
    "--window-size=1400,1000",
)
# JupyterLab's settings for the check: no news or update toast (it would fetch from the network).
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}
START_SECONDS = 120  # for the server and the browser to start, and a notebook to open with its kernel
SAVE_SECONDS = 60  # for Ctrl+S to write the notebook
POLL_SECONDS = 0.05
QUIET_SECONDS = 1.0  # how long the section must stay unchanged, its kernel idle, before the first move
REDRAW_SECONDS = 30.0  # the default bound on one redraw: several times the slowest measured (docs/interactive.md)

SCRIPT = Path(__file__).with_suffix(".js")  # the page side: window.checkInteractive, added to every page


def section_cells(cells: list[dict]) -> list[int]:
    """Indices of the code cells a reader runs in a fresh kernel to explore: the first (the imports) and those after
    the notebook's last heading (its interactive section)."""
    sources = [(cell["cell_type"], "".join(cell["source"])) for cell in cells]  # a list of lines, or one string
    headings = [i for i, (kind, text) in enumerate(sources) if kind == "markdown" and text[:1] == "#"]
    code = [i for i, (kind, _) in enumerate(sources) if kind == "code"]
    return [code[0]] + [i for i in code[1:] if i > max(headings, default=-1)]


T = TypeVar("T")


def _wait_for(condition: Callable[[], T], seconds: float, what: str) -> T:
    """The first true value of ``condition()`` within ``seconds``; else a RuntimeError about ``what``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"{what}: not within {seconds:g} s")


def _stop(process: subprocess.Popen) -> None:
    """Stop a process this check started, by its id: SIGTERM, then SIGKILL if it has not exited after 30 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def jupyterlab(root: Path, scratch: Path, figures: Path) -> Iterator[tuple[str, str]]:
    """A JupyterLab serving ``root`` on 127.0.0.1 (a free port, a random token); yields its URL and token."""
    folders = {name: scratch / name for name in ("runtime", "config", "data", "settings", "workspaces")}
    for folder in folders.values():
        folder.mkdir()
    for plugin, settings in LAB_SETTINGS.items():
        file = folders["settings"] / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True)
        file.write_text(json.dumps(settings))
    environment = os.environ | {
        "JUPYTER_RUNTIME_DIR": str(folders["runtime"]),
        "JUPYTER_CONFIG_DIR": str(folders["config"]),
        "JUPYTER_DATA_DIR": str(folders["data"]),  # the kernel is the environment's own, not one of the user's
        "JUPYTERLAB_SETTINGS_DIR": str(folders["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(folders["workspaces"]),
        "COURSEWORK_FIGURES_DIR": str(figures),
    }
    token = secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", "--port=0"]
    command += [
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
    ]
    with (scratch / "jupyterlab.log").open("w") as log:
        server = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        info = folders["runtime"] / f"jpserver-{server.pid}.json"

        def port() -> int | None:
            if server.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited ({server.returncode}): {(scratch / 'jupyterlab.log').read_text()}"
                )
            try:
                return json.loads(info.read_text())["port"]
            except (FileNotFoundError, json.JSONDecodeError):  # not written yet, or half
                return None

        yield f"http://127.0.0.1:{_wait_for(port, START_SECONDS, 'JupyterLab to start')}", token
    finally:
        _stop(server)


@contextmanager
def chromium(executable: str, scratch: Path) -> Iterator[str]:
    """Headless Chromium with a fresh profile, debuggable on a free port of 127.0.0.1; yields that endpoint."""
    profile = scratch / "chromium-profile"
    command = [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"]
    with (scratch / "chromium.log").open("w") as log:
        browser = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        active = profile / "DevToolsActivePort"  # Chromium writes the port it chose, then the path, one a line

        def port() -> str | None:
            if browser.poll() is not None:
                raise RuntimeError(
                    f"{executable} exited ({browser.returncode}): {(scratch / 'chromium.log').read_text()}"
                )
            lines = active.read_text().split() if active.exists() else []
            return lines[0] if len(lines) == 2 else None

        yield f"http://127.0.0.1:{_wait_for(port, START_SECONDS, 'Chromium to start')}"
    finally:
        _stop(browser)


def upload_files(folder: Path) -> tuple[Path, Path]:
    """A small PNG (a colour gradient, like no test image) and a text file, to upload."""
    ramp = np.linspace(0, 255, 48, dtype=np.uint8)
    pixels = np.stack(np.broadcast_arrays(ramp[None, :], ramp[::-1][:, None], np.uint8(90)), axis=-1)
    image, text = folder / "gradient.png", folder / "not-an-image.txt"
    Image.fromarray(pixels[:40]).save(image)
    text.write_text("This is not an image.\n")
    return image, text


@dataclass
class Report:
    """What the check found: failures, and each control's redraw time (notebook, control, seconds)."""

    failures: list[str] = field(default_factory=list)
    redraws: list[tuple[str, str, float]] = field(default_factory=list)

    def fail(self, notebook: str, problem: str) -> None:
        self.failures.append(f"{notebook}: {problem}")
        print(f"  FAIL {problem}", flush=True)


@dataclass
class Lab:
    """The running JupyterLab and browser: the browser's context, the server's URL and token, and the files that
    upload controls get (upload_files())."""

    context: BrowserContext
    url: str
    token: str
    uploads: tuple[Path, Path]


class Notebook:
    """One notebook open in JupyterLab, in a page of its own: its kernel, its cells and its interactive section."""

    def __init__(self, lab: Lab, path: str, report: Report) -> None:
        self.path, self.report, self.step, self.uploads = path, report, "opening", lab.uploads
        self.page = lab.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.logged(message.text))
        self.page.on("pageerror", lambda error: self.logged(str(error)))
        # A workspace of its own: the default one would also reopen the notebooks checked before (their saved
        # widget views then look for models in a kernel that does not hold them).
        self.page.goto(f"{lab.url}/lab/workspaces/{Path(path).stem}/tree/{path}?token={lab.token}")
        ready = "path => window.jupyterapp && window.checkInteractive.kernelReady(path)"
        self.page.wait_for_function(ready, arg=path, timeout=START_SECONDS * 1000, polling=200)
        self.call("kernelInfo")

    def logged(self, text: str) -> None:
        self.report.fail(self.path, f"browser console error while {self.step}: {text.splitlines()[0][:300]}")

    def call(self, function: str, *arguments: object) -> Any:
        """Call ``window.checkInteractive[function](path, ...arguments)`` (tools/check_interactive.js) in the page."""
        script = "([name, path, rest]) => window.checkInteractive[name](path, ...rest)"
        return self.page.evaluate(script, [function, self.path, list(arguments)])

    def save(self, file: Path) -> None:
        """Save with Ctrl+S; returns once JupyterLab says the server has written ``file``."""
        os.utime(file, ns=(0, 0))
        self.call("watchSave")
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function("() => window.checkInteractiveSaved", timeout=SAVE_SECONDS * 1000, polling=100)
        if self.page.evaluate("() => window.checkInteractiveSaved") != "completed" or not file.stat().st_mtime_ns:
            raise RuntimeError("Ctrl+S did not save the notebook")

    def run(self, indices: list[int], seconds: float) -> None:
        self.call("runCells", indices)
        self.page.wait_for_function("() => window.checkInteractiveRun", timeout=seconds * 1000, polling=500)
        for index, problem in self.call("cellProblems"):
            ran = "" if index in indices else " (as committed: not run here)"
            self.report.fail(self.path, f"cell {index}{ran} output holds {problem}")
        failed = self.page.evaluate("() => window.checkInteractiveRun.failed")
        if failed is not None:
            raise RuntimeError(f"cell {failed} failed to run, so the interactive section cannot be checked")

    def state(self) -> dict:
        return self.call("sectionState")

    def settle(self) -> None:
        """Wait until the kernel has been idle, and the section unchanged, for QUIET_SECONDS: the last outputs of a
        run can arrive after JupyterLab has marked the cell done (the reply and the outputs come by two channels)."""
        quiet, errors = {"state": None, "since": time.monotonic()}, []

        def still() -> bool:
            now = self.state()
            errors.extend(now["errors"])
            if now["busy"] or now["errors"] or now != quiet["state"]:
                quiet.update(state=now, since=time.monotonic())
            return time.monotonic() - quiet["since"] >= QUIET_SECONDS

        _wait_for(still, START_SECONDS, "the interactive section to settle after the run")
        for error in errors:
            self.report.fail(self.path, f"the section shows an error or stderr after the run: {error[:300]}")

    def move(self, control: str, action: Callable[[], object], seconds: float, redraws: bool = True) -> dict:
        """Do ``action`` (a move of ``control``) and wait until the kernel is idle and the figure changed (or, with
        ``redraws`` false, until the section printed something); records the time, returns the new state."""
        self.step = f"moving {control}"
        before = self.state()
        errors = before["errors"]  # none, unless an earlier move's error came late
        start = time.monotonic()
        action()

        def settled() -> dict | None:
            now = self.state()
            changed = now["figure"] != before["figure"] if redraws else now["printed"] != before["printed"]
            errors.extend(now["errors"])
            return now if not now["busy"] and (changed and now["figure"] or errors) else None

        try:
            now = _wait_for(settled, seconds, "redraw")
        except RuntimeError:
            now = None
        elapsed = time.monotonic() - start
        for error in errors:
            self.report.fail(self.path, f"{control}: the section shows an error or stderr: {error[:300]}")
        if now is None:
            what = "the figure did not change" if redraws else "nothing was printed"
            self.report.fail(self.path, f"{control}: {what} within {seconds:g} s")
            return self.state()
        if redraws and not errors:
            self.report.redraws.append((self.path, control, elapsed))
            print(f"  {control}: redrawn in {elapsed:.1f} s", flush=True)
        return now

    def explore(self, seconds: float) -> None:
        """Move every control of the interactive section (see the module's docstring)."""
        section = self.page.locator('[data-check-interactive="section"]')
        section.locator("img").first.wait_for(timeout=START_SECONDS * 1000)
        self.settle()
        sliders = section.locator(".widget-slider").all()
        dropdowns = section.locator(".widget-dropdown").all()
        uploads = section.locator(".widget-upload").all()
        if not sliders + dropdowns + uploads:
            self.report.fail(self.path, "no slider, dropdown or upload in the last code cell's output")
        for slider in sliders:
            handle = slider.locator(".noUi-handle")
            at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            key = "ArrowLeft" if at_end else "ArrowRight"
            self.move(f"slider {self.label(slider)!r} (key {key})", partial(handle.press, key), seconds)
        for dropdown in dropdowns:
            select = dropdown.locator("select")
            options = select.locator("option").all_inner_texts()
            following = options[(options.index(select.evaluate("s => s.selectedOptions[0].text")) + 1) % len(options)]
            name = f"dropdown {self.label(dropdown)!r} (to {following!r})"
            self.move(name, partial(select.select_option, label=following), seconds)
        for button in uploads:
            name = f"upload {button.inner_text().strip()!r}"
            self.move(f"{name} (a PNG)", partial(self.choose, button, self.uploads[0]), seconds)
            before = self.state()
            after = self.move(f"{name} (a text file)", partial(self.choose, button, self.uploads[1]), seconds, False)
            lines = after["printed"][len(before["printed"]) :].strip().splitlines()
            if len(lines) != 1 or after["figure"] != before["figure"]:
                self.report.fail(self.path, f"{name}: a text file must leave one line and the figure; got {lines}")
        for slider in sliders:
            track = slider.locator(".noUi-base")
            handle = slider.locator(".noUi-handle")
            low, high, now = (float(handle.get_attribute(f"aria-value{end}")) for end in ("min", "max", "now"))
            fraction = 0.2 if (now - low) > (high - low) / 2 else 0.8
            box = track.bounding_box()
            where = {"x": box["width"] * fraction, "y": box["height"] / 2}
            self.move(f"slider {self.label(slider)!r} (click)", partial(track.click, position=where), seconds)
        self.step = "exploring"

    def choose(self, button: Locator, file: Path) -> None:
        """Click an upload button and pick ``file`` in the file chooser it opens."""
        with self.page.expect_file_chooser() as chooser:
            button.click()
        chooser.value.set_files(file)

    @staticmethod
    def label(control: Locator) -> str:
        return control.locator(".widget-label").inner_text().strip()

    def close(self) -> None:
        self.step = "closing"
        self.call("shutDown")
        self.page.close()


@dataclass
class Settings:
    """How the check runs: which notebooks run only their imports and interactive section, its time bounds, and the
    browser."""

    section_only: set[str]
    redraw_seconds: float
    run_seconds: float
    executable: str


def check_notebook(lab: Lab, notebook: Path, copy: Path, settings: Settings, report: Report) -> None:
    """Open and save the temporary ``copy`` of ``notebook``, then run it and explore its interactive section."""
    page = Notebook(lab, copy.name, report)
    page.step = "saving"
    page.save(copy)
    saved, committed = copy.read_bytes(), notebook.read_bytes()
    if saved == committed:
        print("  opened and saved before any run: byte-identical", flush=True)
    else:
        diff = difflib.unified_diff(committed.decode().splitlines(), saved.decode().splitlines(), lineterm="", n=0)
        changed = [line.strip() for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        report.fail(
            copy.name,
            f"opening and saving it in JupyterLab changed it ({len(changed)} lines, first {changed[:4]}): "
            f"run `python tools/normalize_notebooks.py {notebook}`",
        )
    cells = json.loads(committed)["cells"]
    only = copy.name in settings.section_only
    indices = section_cells(cells) if only else [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"]
    page.step = "running"
    start = time.monotonic()
    page.run(indices, settings.run_seconds)
    print(f"  ran {f'cells {indices}' if only else 'every cell'} in {time.monotonic() - start:.0f} s", flush=True)
    page.explore(settings.redraw_seconds)
    page.close()


def check(notebooks: list[Path], settings: Settings) -> Report:
    """Open, save, run and explore each notebook in a live JupyterLab (see the module's docstring)."""
    report = Report()
    with tempfile.TemporaryDirectory(prefix="check-interactive-") as temporary:
        scratch = Path(temporary)
        root, figures = scratch / "notebooks", scratch / "figures"
        for folder in (root, figures):
            folder.mkdir()
        for folder in {notebook.parent for notebook in notebooks}:  # with the modules beside the notebooks
            shutil.copytree(folder, root, ignore=shutil.ignore_patterns(".*", "__pycache__"), dirs_exist_ok=True)
        uploads = upload_files(scratch)
        with jupyterlab(root, scratch, figures) as (url, token), chromium(settings.executable, scratch) as endpoint:
            with sync_playwright() as playwright:
                browser = playwright.chromium.connect_over_cdp(endpoint)
                context = browser.contexts[0]
                context.add_init_script(path=SCRIPT)
                lab = Lab(context, url, token, uploads)
                for notebook in notebooks:
                    print(f"{notebook}:", flush=True)
                    try:
                        check_notebook(lab, notebook, root / notebook.name, settings, report)
                    except (Error, RuntimeError) as error:
                        report.fail(notebook.name, f"stopped: {str(error).splitlines()[0]}")
                browser.close()
    return report


def main(arguments: list[str]) -> int:
    """Check the notebooks named in ``arguments``; 0 when all pass, 1 on any failure, 2 on bad usage."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument(
        "--section-only",
        action="append",
        default=[],
        metavar="NOTEBOOK",
        type=Path,
        help="run only its imports cell and its interactive section (in a fresh kernel, as a reader would)",
    )
    parser.add_argument("--redraw-seconds", type=float, default=REDRAW_SECONDS, help="the bound on each redraw")
    parser.add_argument("--run-seconds", type=float, default=3600, help="the bound on running a notebook")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    options = parser.parse_args(arguments)
    names = [notebook.name for notebook in options.notebooks]
    if len(set(names)) < len(names) or not {path.name for path in options.section_only} <= set(names):
        parser.error("the notebooks need distinct names, and --section-only must name one of them")
    settings = Settings(
        {path.name for path in options.section_only}, options.redraw_seconds, options.run_seconds, options.chromium
    )
    report = check(options.notebooks, settings)
    slowest = max(report.redraws, key=lambda redraw: redraw[2], default=None)
    print(
        f"{len(report.redraws)} redraws"
        + (f", slowest {slowest[2]:.1f} s ({slowest[0]}, {slowest[1]})" if slowest else "")
    )
    print(f"{len(report.failures)} failures" + "".join(f"\n  {failure}" for failure in report.failures))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
