"""Load an assignment folder: its spec, its cases and its trusted forwards.

An assignment is a folder holding `assignment.yaml` (title, problems), a
Python module of trusted forward functions, and `cases/public.yaml` and
`cases/hidden.yaml`. Hidden cases live in their own file so that students'
copies can leave them out. Everything is validated on load; an error names
the file, the problem and the field, and says what was expected.
"""

import dataclasses
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader import spec

KINDS = ("vjp", "loss_grad", "jacobian", "value")
LAYOUTS = ("denominator", "numerator")
SPEC_FILE = "assignment.yaml"
PUBLIC_CASES = Path("cases", "public.yaml")
HIDDEN_CASES = Path("cases", "hidden.yaml")
HIDDEN_VISIBILITY = ("verdicts", "totals", "full")
# the visibility values of Gradescope's results format
GRADESCOPE_VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")
# a case that runs longer than this is a hang, not slow code
DEFAULT_TIMEOUT = 10.0
# a handful of anchors is convenience; hundreds is an expansion bomb
MAX_ALIASES = 64
# inputs are drawn on an O(1) scale; this bound only keeps arithmetic finite
MAX_MAGNITUDE = 1e6
MAX_LITERAL = 4096

AssignmentError = spec.SpecError


@dataclass(frozen=True)
class InputSpec:
    """How to draw one input array of a case."""

    shape: tuple[int, ...]
    low: float = -2.0
    high: float = 2.0
    min_abs: float = 0.0
    zeros: float = 0.0
    dtype: str = "float64"
    integers: tuple[int, int] | None = None
    value: list | None = None


@dataclass(frozen=True)
class Case:
    """One graded call: named inputs, parameters and a seed."""

    name: str
    seed: int
    inputs: dict
    params: dict
    hidden: bool
    timeout: float
    # its inputs and values are left out of every output (hidden, unless the
    # spec's hidden_visibility is "full")
    redacted: bool = False


@dataclass(frozen=True)
class Problem:
    """One student function, how it is checked, and its cases."""

    id: str
    title: str
    points: float
    function: str
    kind: str
    reference: object  # the trusted forward, or the expected value for `value`
    accept: object
    inputs: tuple[str, ...]
    wrt: tuple[str, ...]
    params: tuple[str, ...]
    layout: str
    description: str
    hints: tuple[str, ...]
    all_or_nothing: bool
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class Assignment:
    """A validated assignment, ready to grade against."""

    name: str
    title: str
    description: str
    module: str
    folder: Path
    problems: tuple[Problem, ...]
    hidden_loaded: bool
    # what reports show of a hidden case: its verdict and error sizes without
    # inputs ("verdicts"), only each problem's count passed ("totals"), or
    # everything, as for a public case ("full", say after the deadline)
    hidden_visibility: str = "verdicts"
    # Gradescope's visibility for the tests that carry hidden cases
    gradescope_hidden: str = "after_published"


def search_paths(extra: list[str] | None = None) -> list[Path]:
    """Folders that may hold assignments, in the order they are searched."""
    paths = [Path(p) for p in extra or []]
    paths += [Path(p) for p in os.environ.get("GRADER_ASSIGNMENTS", "").split(":") if p]
    # the grader's own copy first: a student folder holding an `assignments/`
    # must not swap in its own cases and forward code
    paths += [
        Path(__file__).resolve().parents[1] / "assignments",
        Path.cwd() / "assignments",
    ]
    unique: list[Path] = []
    for path in paths:
        if path.is_dir() and path.resolve() not in [u.resolve() for u in unique]:
            unique.append(path)
    return unique


def list_assignments(extra: list[str] | None = None) -> list[Path]:
    """Every assignment folder on the search path (first one of a name wins)."""
    found: dict[str, Path] = {}
    for root in search_paths(extra):
        for folder in sorted(root.iterdir()):
            if (folder / SPEC_FILE).is_file():
                found.setdefault(folder.name, folder)
    return list(found.values())


def find_assignment(name: str, extra: list[str] | None = None) -> Path:
    """Resolve an assignment name, or a path to its folder."""
    direct = Path(name)
    if (direct / SPEC_FILE).is_file():
        return direct
    for folder in list_assignments(extra):
        if folder.name == name:
            return folder
    known = ", ".join(f.name for f in list_assignments(extra)) or "none"
    raise AssignmentError(
        f"no assignment named {name!r} (found: {known}). "
        "Run `grade list`, or pass --assignments DIR."
    )


def load_assignment(folder: Path, hidden: bool = False) -> Assignment:
    """Load and validate an assignment; `hidden` also loads its hidden cases."""
    folder = Path(folder)
    spec_path = folder / SPEC_FILE
    data = spec.Fields(_read_yaml(spec_path), str(spec_path))
    title = data.text("title")
    description = data.text("description", default="")
    module = data.identifier("module", default="ops")
    trusted = _load_trusted(
        folder / data.filename("forwards", "forwards.py"), spec_path
    )
    problems = [_problem(item, trusted) for item in data.problems("problems")]
    hidden_visibility = data.choice(
        "hidden_visibility", HIDDEN_VISIBILITY, default="verdicts"
    )
    gradescope_hidden = data.choice(
        "gradescope_hidden", GRADESCOPE_VISIBILITY, default="after_published"
    )
    data.finish()
    spec.require_unique([p.id for p in problems], str(spec_path), "problem id")

    cases = _cases(folder / PUBLIC_CASES, problems, hidden=False)
    if hidden:
        if not (folder / HIDDEN_CASES).is_file():
            raise AssignmentError(
                f"hidden cases are not available: {folder / HIDDEN_CASES} does not "
                "exist. Students' copies leave them out; grade hidden cases from "
                "the instructor's copy of the assignment."
            )
        hidden_cases = _cases(folder / HIDDEN_CASES, problems, hidden=True)
        if hidden_visibility != "full":
            hidden_cases = {
                pid: tuple(dataclasses.replace(c, redacted=True) for c in found)
                for pid, found in hidden_cases.items()
            }
        cases = {pid: cases[pid] + hidden_cases[pid] for pid in cases}
    for problem in problems:
        if not cases[problem.id]:
            raise AssignmentError(
                f"{folder / PUBLIC_CASES}: problem {problem.id!r} has no public cases; "
                "give every problem at least one."
            )
    return Assignment(
        name=folder.name,
        title=title,
        description=description,
        module=module,
        folder=folder,
        problems=tuple(_with_cases(p, cases[p.id]) for p in problems),
        hidden_loaded=hidden,
        hidden_visibility=hidden_visibility,
        gradescope_hidden=gradescope_hidden,
    )


def _read_yaml(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AssignmentError(f"{path}: cannot read it ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise AssignmentError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    try:
        aliases = sum(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text))
        if aliases > MAX_ALIASES:
            raise AssignmentError(
                f"{path}: uses {aliases} YAML aliases (at most {MAX_ALIASES}); "
                "write the repeated parts out"
            )
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise AssignmentError(f"{path}: not valid YAML: {error}") from None


def _load_trusted(path: Path, spec_path: Path):
    if not path.is_file():
        raise AssignmentError(
            f"{spec_path}: field 'forwards': expected a Python file beside the spec, "
            f"but {path} does not exist"
        )
    module_spec = importlib.util.spec_from_file_location(
        f"grader_trusted_{abs(hash(str(path.resolve())))}", path
    )
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        raise AssignmentError(
            f"{path}: the trusted module failed to load: {error!r}"
        ) from None
    return module


def _problem(fields: "spec.Fields", trusted) -> Problem:
    kind = fields.choice("kind", KINDS)
    inputs = fields.names("inputs")
    reference_field = "expected" if kind == "value" else "forward"
    problem = Problem(
        id=fields.identifier("id"),
        title=fields.text("title"),
        points=fields.positive("points"),
        function=fields.identifier("function"),
        kind=kind,
        reference=fields.function(reference_field, trusted),
        accept=fields.function("accept", trusted, required=False),
        inputs=inputs,
        wrt=fields.subset("wrt", inputs, default=() if kind == "value" else inputs),
        params=fields.names("params", default=()),
        layout=fields.choice("layout", LAYOUTS, default="denominator"),
        description=fields.text("description", default=""),
        hints=fields.texts("hints"),
        all_or_nothing=fields.flag("all_or_nothing"),
        cases=(),
    )
    fields.finish()
    return problem


def _cases(path: Path, problems: list[Problem], hidden: bool) -> dict:
    data = _read_yaml(path) if path.is_file() else None
    if data is None and not hidden:
        raise AssignmentError(f"{path}: missing; every assignment needs public cases")
    if not isinstance(data, dict):
        raise AssignmentError(f"{path}: expected a mapping of problem id to cases")
    by_id = {p.id: p for p in problems}
    unknown = sorted(set(map(str, data)) - set(by_id))
    if unknown:
        raise AssignmentError(
            f"{path}: cases for unknown problem {unknown[0]!r}; "
            f"problems are: {', '.join(by_id)}"
        )
    cases = {}
    for pid, problem in by_id.items():
        where = f"{path}: problem {pid!r}"
        items = spec.as_list(data.get(pid, []), where)
        cases[pid] = tuple(
            _case(spec.Fields(item, where, "case"), problem, hidden) for item in items
        )
        spec.require_unique([c.name for c in cases[pid]], where, "case name")
    return cases


def _case(fields: "spec.Fields", problem: Problem, hidden: bool) -> Case:
    name = fields.text("name")
    fields.where = f"{fields.where}, case {name!r}"
    inputs = fields.mapping("inputs", required=set(problem.inputs))
    params = fields.mapping("params", allowed=set(problem.params), default={})
    for input_name in problem.wrt:
        spec_of = inputs.get(input_name)
        if isinstance(spec_of, dict) and "integers" in spec_of:
            fields.fail(
                "inputs",
                f"input {input_name!r} gets a gradient (it is in "
                "wrt), so it must be drawn as floats; remove 'integers'",
            )
    case = Case(
        name=name,
        seed=fields.integer("seed"),
        inputs={
            k: _input(spec.Fields(v, f"{fields.where}, input {k!r}"))
            for k, v in inputs.items()
        },
        params={k: spec.as_param(v) for k, v in params.items()},
        hidden=hidden,
        timeout=fields.positive("timeout", default=DEFAULT_TIMEOUT),
    )
    fields.finish()
    return case


def _input(fields: "spec.Fields") -> InputSpec:
    value = fields.raw("value")
    shape = fields.shape("shape", required=value is None)
    result = InputSpec(
        shape=shape,
        low=fields.number("low", default=-2.0),
        high=fields.number("high", default=2.0),
        min_abs=fields.number("min_abs", default=0.0),
        zeros=fields.fraction("zeros"),
        dtype=fields.choice("dtype", ("float64", "float32"), default="float64"),
        integers=fields.interval("integers"),
        value=value,
    )
    fields.check(result.low < result.high, "low", "expected low < high")
    fields.check(
        result.min_abs < max(abs(result.low), abs(result.high)),
        "min_abs",
        "expected min_abs below the largest magnitude in [low, high]",
    )
    fields.check(
        max(abs(result.low), abs(result.high)) <= MAX_MAGNITUDE,
        "low",
        f"expected low and high within ±{MAX_MAGNITUDE:g}",
    )
    if result.integers is not None:
        fields.check(
            all(abs(n) < 2**62 for n in result.integers),
            "integers",
            "expected bounds that fit in a 64-bit integer",
        )
    if value is not None:
        fields.check(
            _is_literal_array(value),
            "value",
            f"expected a rectangular list of finite numbers, at most "
            f"{MAX_LITERAL} of them",
        )
    fields.finish()
    return result


def _is_literal_array(value) -> bool:
    import numpy as np

    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return False
    return array.size <= MAX_LITERAL and bool(np.isfinite(array).all())


def _with_cases(problem: Problem, cases: tuple[Case, ...]) -> Problem:
    return Problem(**{**problem.__dict__, "cases": cases})
