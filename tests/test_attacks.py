"""Hostile submissions, one per attack in `tests/attacks/`: each is the
reference with one function (or a few) replaced by the attack. For every
one, the attacked problem fails with its own message (or is unharmed, where
the attack is harmless), every other problem keeps full marks, nothing
reaches the grader's machine (no connection, no signal, no surviving
process, no file outside the worker), and the reference graded next in the
same process gets exactly the results it got first."""

import ast
import dataclasses
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GRADE, HW1, REFERENCE, ROOT, Document

from grader import sandbox
from grader.assignment import DEFAULT_TIMEOUT
from grader.render import TEMPLATES
from grader.report import render_report, write_report
from grader.results import results_dict, write_results
from grader.runner import OUTPUT_CAP, current_isolation
from grader.score import TIMEOUTS_PER_PROBLEM, grade_submission

ATTACKS = Path(__file__).with_name("attacks")
REFERENCE_SOURCE = (REFERENCE / "ops.py").read_text()
SOLUTIONS = REFERENCE / "ops.py"
HIDDEN_CASES = HW1 / "cases" / "hidden.yaml"
# a hang is the point of some attacks; correct code answers in milliseconds
CASE_TIMEOUT = 2.0
# how long a grading may take before the test calls it hung
HANG_LIMIT = 10.0


@dataclass(frozen=True)
class Fails:
    """How every case of the attacked problem must fail: the summary (all a
    hidden case shows) and how a public case's detail begins."""

    summary: str
    detail: str = ""
    timeouts: bool = False


CRASHED = "exp_backward crashed the worker process"
REFUSED = Fails(
    "exp_backward raised PermissionError", "[Errno 1] Operation not permitted"
)
WRONG_VALUES = Fails("grad_a has wrong values", "largest error ")
HUNG = Fails(
    "exp_backward did not finish in time",
    f"no answer within {CASE_TIMEOUT:g} s of wall-clock time",
    timeouts=True,
)

# attack -> how exp fails; attacks with more to check have their own tests
PLAIN_ATTACKS = {
    "infinite_loop": HUNG,
    "long_sleep": HUNG,
    "sys_exit": Fails("exp_backward raised SystemExit", "0 (ops.py line "),
    "os_exit": Fails(
        CRASHED,
        "the worker exited with status 0 in the middle of the call; "
        "grading went on in a fresh worker.",
    ),
    "segfault": Fails(
        CRASHED, "the worker was killed by signal 11 SIGSEGV: a segmentation fault"
    ),
    "memory_bomb": Fails(
        "exp_backward raised MemoryError", "Unable to allocate 256. MiB"
    ),
    "patch_numpy_comparisons": WRONG_VALUES,
    "ndarray_subclass_claims_equality": WRONG_VALUES,
    "stack_and_gc_walk": WRONG_VALUES,
    "object_array": Fails(
        "grad_a is not a numeric array",
        "exp_backward returned an array of dtype object for grad_a",
    ),
    "python_scalar": Fails(
        "grad_a has the wrong shape", "grad_a has shape (), but it must have shape ("
    ),
    "wrong_shape": Fails(
        "grad_a has the wrong shape",
        "grad_a has shape (1,), but it must have shape (",
    ),
    "nan_answer": Fails("grad_a has NaN or infinite entries"),
    "over_wire_cap": Fails(
        CRASHED,
        "the worker broke the protocol: array of shape (10000000,) is over the "
        "67108864-byte cap",
    ),
    "over_memory_view": Fails("grad_a is not a numeric array", "exp_backward returned"),
    "over_memory_array": Fails(
        CRASHED, "the worker exited with status 1 in the middle of the call"
    ),
    "too_many_dims": Fails(
        CRASHED, "the worker broke the protocol: array with an invalid shape: [1, 1,"
    ),
    "modify_inputs_in_place": Fails(
        "exp_backward modified a in place", "a changed during the call"
    ),
    "read_stdin": Fails("exp_backward raised EOFError", "EOF when reading a line"),
    "garbage_to_protocol_fds": Fails(
        CRASHED,
        "the worker broke the protocol: the worker sent something that is not a "
        "grader message",
    ),
    "fork_bomb": REFUSED,
    "outlive_worker": REFUSED,
    "connect_loopback": REFUSED,
    "signal_grader": REFUSED,
}

# attacks that need the real timeout: copying 800 MB can take seconds
LONGER_TIMEOUT = {"over_memory_array": DEFAULT_TIMEOUT}

# the attacks run again in each fallback tier, where the same layers hold
TIER_ATTACKS = [
    "infinite_loop",
    "os_exit",
    "segfault",
    "read_hidden_cases_into_gradient",
    "connect_loopback",
    "signal_grader",
    "fork_bomb",
]


# ---- fixtures --------------------------------------------------------------


@pytest.fixture(scope="module")
def strongest():
    """The tier this machine reaches by itself, every layer in force (the
    attacks below are bounded, but their outcomes assume all layers)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GRADER_ISOLATION", raising=False)
        patch.delenv("GRADER_LAYERS", raising=False)
        isolation = current_isolation()
        assert isolation.layers == sandbox.LAYERS, isolation.summary()
        yield isolation


@pytest.fixture(scope="module")
def hw1_fast(hw1):
    """hw1 with its hidden cases, each allowed CASE_TIMEOUT, and without its
    one 1024x1024 matmul case (5 of the 6 seconds a full grading takes)."""
    problems = []
    for problem in hw1.problems:
        cases = tuple(
            case
            for case in problem.cases
            if (problem.id, case.name) != ("matmul", "large_square")
        )
        problems.append(dataclasses.replace(problem, cases=cases))
    fast = dataclasses.replace(hw1, problems=tuple(problems))
    return with_timeout(fast, None, CASE_TIMEOUT)


@pytest.fixture(scope="module")
def baseline(hw1_fast, strongest):
    """The reference's results before any attack ran."""
    result = grade_submission(hw1_fast, REFERENCE, isolation=strongest)
    assert result.score == result.max_score == 100
    return verdicts(result)


@pytest.fixture
def honest_grading_unchanged(hw1_fast, baseline):
    """Grade the reference again; its results must equal the baseline's."""

    def check(isolation):
        after = grade_submission(hw1_fast, REFERENCE, isolation=isolation)
        assert verdicts(after) == baseline

    return check


@pytest.fixture
def watch(tmp_path):
    """A loopback listener, a SIGUSR1 recorder and a marker for processes: what
    an attack could reach. Whatever still carries the marker at the end (only
    processes these tests started) is killed by pid."""
    watcher = Watch(tmp_path)
    yield watcher
    watcher.close()


class Watch:
    """What an attack could reach, and proof afterwards that it did not."""

    def __init__(self, tmp_path: Path):
        self.marker = f"atk{uuid.uuid4().hex[:9]}"  # fits a 15-byte process name
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.tcp.setblocking(False)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.setblocking(False)
        self.signals: list[int] = []
        self._previous = signal.signal(
            signal.SIGUSR1, lambda number, frame: self.signals.append(number)
        )
        self.children_before = children_of_this_process()
        self.tmp_path = tmp_path

    def settings(self, **more) -> dict:
        """What the attack is told: the marker, ports, the grader's pid, paths."""
        planted = f".grader-canary-{os.getpid()}"
        canaries = [*ROOT.glob(f"solutions/{planted}"), *ROOT.glob(f"*/*/*/{planted}")]
        return {
            "marker": self.marker,
            "port": self.tcp.getsockname()[1],
            "udp_port": self.udp.getsockname()[1],
            "grader_pid": os.getpid(),
            "solutions": str(SOLUTIONS),
            "hidden_cases": str(HIDDEN_CASES),
            "canaries": sorted(map(str, canaries)),
            **more,
        }

    def submission(self, attack: str, folder: Path | None = None, **more) -> Path:
        """The reference with the attack's definitions appended (later win)."""
        folder = folder or self.tmp_path / attack
        folder.mkdir(parents=True, exist_ok=True)
        attack_source = (ATTACKS / f"{attack}.py").read_text()
        (folder / "ops.py").write_text(
            f"{REFERENCE_SOURCE}\n\nATTACK = {self.settings(**more)!r}\n\n"
            f"# ---- attack: {attack} ----\n{attack_source}"
        )
        return folder

    def assert_nothing_escaped(self) -> None:
        with pytest.raises(BlockingIOError):
            self.tcp.accept()
        with pytest.raises(BlockingIOError):
            self.udp.recv(1024)
        assert self.signals == []
        assert processes_marked(self.marker) == []
        assert children_of_this_process() <= self.children_before

    def close(self) -> None:
        for pid in processes_marked(self.marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        signal.signal(signal.SIGUSR1, self._previous)
        self.tcp.close()
        self.udp.close()


# ---- the attacks -----------------------------------------------------------


@pytest.mark.parametrize("attack", PLAIN_ATTACKS)
def test_attack_fails_only_its_own_problem(
    attack, watch, hw1_fast, strongest, honest_grading_unchanged
):
    assignment = with_timeout(hw1_fast, "exp", LONGER_TIMEOUT.get(attack))
    result = grade_submission(assignment, watch.submission(attack), isolation=strongest)
    assert_outcome(result, {"exp": PLAIN_ATTACKS[attack]})
    watch.assert_nothing_escaped()
    honest_grading_unchanged(strongest)


def test_read_solutions_into_exception(
    watch, hw1_fast, strongest, honest_grading_unchanged
):
    result = grade_submission(
        hw1_fast, watch.submission("read_solutions_into_exception"), isolation=strongest
    )
    assert_outcome(result, {"exp": refused_read(strongest)})
    assert_never_shown(result, hw1_fast, secret_lines())
    watch.assert_nothing_escaped()
    honest_grading_unchanged(strongest)


def test_read_hidden_cases_into_gradient(
    watch, hw1_fast, strongest, honest_grading_unchanged
):
    result = grade_submission(
        hw1_fast,
        watch.submission("read_hidden_cases_into_gradient"),
        isolation=strongest,
    )
    assert_outcome(result, {"exp": refused_read(strongest)})
    assert_never_shown(result, hw1_fast, secret_lines())
    watch.assert_nothing_escaped()
    honest_grading_unchanged(strongest)


def test_read_other_submission_graded_before(
    watch, tmp_path, hw1_fast, strongest, honest_grading_unchanged
):
    victim = tmp_path / "victim"
    victim.mkdir()
    secret = f"victim{uuid.uuid4().hex}"  # nothing HTML would escape
    (victim / "ops.py").write_text(f"{REFERENCE_SOURCE}\n# {secret}\n")
    assert grade_submission(hw1_fast, victim, isolation=strongest).score == 100

    folder = watch.submission("read_other_submission", victim=str(victim / "ops.py"))
    result = grade_submission(hw1_fast, folder, isolation=strongest)
    assert_outcome(result, {"exp": refused_read(strongest)})
    assert_never_shown(result, hw1_fast, [secret])
    watch.assert_nothing_escaped()
    honest_grading_unchanged(strongest)


def test_read_grader_proc_environ_cmdline_and_mem(
    watch, hw1_fast, strongest, honest_grading_unchanged
):
    result = grade_submission(
        hw1_fast, watch.submission("read_grader_proc"), isolation=strongest
    )
    assert_outcome(result, {"exp": Fails("exp_backward raised RuntimeError", "1/")})
    for case in public_cases(result, "exp"):
        attempts = case.message.split(". ", 1)[1].split(" || ")[0].split()
        assert {a.split("/")[1] for a in attempts[:3]} == {
            "environ=PermissionError",
            "cmdline=PermissionError",
            "mem=PermissionError",
        }
        assert f"{os.getpid()}/environ=" in case.message
        assert [a for a in attempts if a.endswith("=read")] == []
    assert_never_shown(result, hw1_fast, grader_identity())
    watch.assert_nothing_escaped()
    honest_grading_unchanged(strongest)


def test_write_results_and_report_where_the_grader_writes(
    watch, tmp_path, monkeypatch, hw1_fast, strongest, honest_grading_unchanged
):
    out, cwd = tmp_path / "out", tmp_path / "cwd"
    out.mkdir()
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    folder = tmp_path / "submission"
    watch.submission(
        "write_grader_outputs", folder, folders=[str(out), str(cwd), str(folder)]
    )
    result = grade_submission(hw1_fast, folder, isolation=strongest)
    write_report(result, hw1_fast, out)
    write_results(result, out)

    assert_outcome(result, {})
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "results.json"]
    assert json.loads((out / "results.json").read_text())["score"] == 100
    assert watch.marker not in (out / "report.html").read_text()
    assert list(cwd.iterdir()) == []
    assert [p.name for p in folder.iterdir()] == ["ops.py"]
    assert not Path(f"/tmp/PWNED-{watch.marker}").exists()
    for name in ("results.json", "report.html"):
        forged = Path("/tmp", name)
        assert not forged.exists() or watch.marker not in forged.read_text()
    watch.assert_nothing_escaped()
    honest_grading_unchanged(strongest)


@pytest.mark.skipif(GRADE is None, reason="`grade` is not installed")
def test_fake_perfect_score_printed_and_raised(watch, tmp_path):
    folder = watch.submission("fake_score_print")
    out = tmp_path / "out"
    run = subprocess.run(
        [GRADE, "hw1", "--submission", folder, "--out", out],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("GRADER_")},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line for line in lines if line.startswith("Score:")] == ["Score: 97 / 100"]
    assert [line for line in lines if line.startswith("Results:")] == [
        f"Results: {out / 'results.json'}"
    ]
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", run.stdout)
    exp_line = next(line for line in lines if line.startswith("  exp "))
    assert "with_zeros: exp_backward raised RuntimeError." in exp_line

    data = json.loads((out / "results.json").read_text())
    assert (data["score"], data["max_score"]) == (97, 100)
    scores = {p["id"]: (p["score"], p["max_score"]) for p in data["problems"]}
    assert scores.pop("exp") == (0, 3)
    assert all(score == most for score, most in scores.values())
    watch.assert_nothing_escaped()


def test_print_100mb_of_an_otherwise_correct_answer(
    watch, hw1_fast, strongest, honest_grading_unchanged
):
    result = grade_submission(
        hw1_fast, watch.submission("print_100mb"), isolation=strongest
    )
    assert_outcome(result, {})
    for case in public_cases(result, "exp"):
        assert case.output.startswith("flood flood ")
        assert len(case.output) < OUTPUT_CAP + 100
        assert case.output.endswith(
            f"[... {(100 << 20) // 6 * 6 - OUTPUT_CAP} more bytes of output not kept]"
        )
    assert len(render_report(result, hw1_fast)) < 1 << 20
    watch.assert_nothing_escaped()
    honest_grading_unchanged(strongest)


def test_html_and_script_in_every_string_the_student_controls(
    watch, hw1_fast, strongest, honest_grading_unchanged
):
    result = grade_submission(
        hw1_fast, watch.submission("html_everywhere"), isolation=strongest
    )
    payload = attack_constant("html_everywhere", "PAYLOAD")
    assert_outcome(
        result,
        {
            "exp": Fails(f"exp_backward raised {payload}"),
            "log": Fails(
                "grad_a is not a numeric array",
                f"log_backward returned an object of type {payload}",
            ),
            "tanh": Fails(
                "grad_a is not a numeric array",
                "tanh_backward returned an array of dtype [('" + payload.split('"')[0],
            ),
            "relu": Fails("grad_a is not a numeric array", "relu_backward returned"),
            "div_scalar": Fails(
                "grad_a is not a numeric array",
                "div_scalar_backward returned an object of type str for grad_a",
            ),
            "negate": Fails("negate_backward raised ValueError", payload),
        },
    )
    exp = public_cases(result, "exp")[0]
    assert payload in exp.output
    negate = public_cases(result, "negate")[0]
    assert "<script>alert(5)</script>" in negate.traceback[-1]

    page = Document(render_report(result, hw1_fast))
    template_tags = set(re.findall(r"<([a-z][a-z0-9]*)", template_text()))
    assert set(page.tags) <= template_tags
    assert "script" not in page.tags
    assert page.tags.count("style") == template_text().count("<style")
    assert [
        (tag, name) for tag, name, _ in page.attributes if name.startswith("on")
    ] == []
    assert [value for _, name, value in page.attributes if name == "src"] == []
    links = [value for _, name, value in page.attributes if name == "href"]
    assert links and all(re.fullmatch(r"#problem-\d+", link) for link in links)
    assert payload in "".join(page.text)  # shown, as text
    watch.assert_nothing_escaped()
    honest_grading_unchanged(strongest)


@pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="needs the bubblewrap tier's PID namespace"
)
def test_outlive_worker_with_seccomp_off_in_bubblewrap(
    watch, monkeypatch, hw1_fast, strongest, honest_grading_unchanged
):
    monkeypatch.setenv("GRADER_LAYERS", "limits,landlock")
    isolation = current_isolation("bubblewrap")
    assert isolation.layers == ("limits", "landlock")
    running = []

    def progress(problem):
        if problem.id == "exp":
            running.extend(processes_marked(watch.marker))

    result = grade_submission(
        hw1_fast,
        watch.submission("outlive_worker"),
        isolation=isolation,
        progress=progress,
    )
    assert_outcome(result, {})
    assert running  # the escape really started, and outlived its call
    watch.assert_nothing_escaped()
    monkeypatch.delenv("GRADER_LAYERS")
    honest_grading_unchanged(strongest)


# ---- the fallback tiers ----------------------------------------------------


@pytest.fixture(scope="module", params=["user", "process"])
def fallback(request, strongest):
    """A weaker tier forced through GRADER_ISOLATION, with every layer."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADER_ISOLATION", request.param)
        isolation = current_isolation(request.param)
    assert (isolation.tier, isolation.layers) == (request.param, sandbox.LAYERS)
    assert isolation.protects_secrets
    return isolation


@pytest.mark.parametrize("attack", TIER_ATTACKS)
def test_attack_in_a_fallback_tier(
    attack, fallback, watch, hw1_fast, honest_grading_unchanged
):
    expected = PLAIN_ATTACKS.get(attack) or refused_read(fallback)
    result = grade_submission(hw1_fast, watch.submission(attack), isolation=fallback)
    assert_outcome(result, {"exp": expected})
    watch.assert_nothing_escaped()
    honest_grading_unchanged(fallback)


# ---- found by this suite, and fixed ------------------------------------------


def test_forged_protocol_reply_costs_only_its_own_problem(watch, hw1_fast, strongest):
    result = grade_submission(
        hw1_fast, watch.submission("forged_protocol_reply"), isolation=strongest
    )
    others = [p.id for p in result.problems if p.id != "exp" and p.score < p.max_score]
    assert others == []


def test_trap_left_for_a_later_problem_costs_only_this_submission(
    watch, hw1_fast, strongest, honest_grading_unchanged
):
    # one worker serves a whole submission (a worker per problem would cost
    # 21 starts per student), so a hook exp_backward leaves behind can end
    # the worker during tanh: the trap costs its author, never anyone else
    result = grade_submission(
        hw1_fast, watch.submission("trap_for_a_later_problem"), isolation=strongest
    )
    lost = {p.id for p in result.problems if p.score < p.max_score}
    assert lost == {"tanh"}
    tanh = next(p for p in result.problems if p.id == "tanh")
    assert tanh.cases[0].message.startswith(
        "tanh_backward crashed the worker process. the worker exited with status 0"
    )


def test_answer_too_big_to_copy_says_why(watch, hw1_fast, strongest):
    result = grade_submission(
        hw1_fast, watch.submission("over_memory_view"), isolation=strongest
    )
    for case in public_cases(result, "exp"):
        assert case.message.startswith(
            "grad_a is not a numeric array. exp_backward returned unreadable "
            "(MemoryError("
        )


def test_disk_bomb_in_the_work_folder_is_stopped(watch, hw1_fast, strongest):
    result = grade_submission(
        hw1_fast, watch.submission("disk_bomb"), isolation=strongest
    )
    for case in public_cases(result, "exp"):
        assert case.message.startswith(
            "exp_backward went over a limit. it wrote over 64 MiB into its "
            "working folder"
        ), case.message
    others = [p.id for p in result.problems if p.id != "exp" and p.score < p.max_score]
    assert others == []


@pytest.mark.slow
def test_outlive_worker_with_seccomp_off_in_the_process_tier(
    watch, monkeypatch, hw1_fast
):
    monkeypatch.setenv("GRADER_LAYERS", "limits,landlock")
    isolation = current_isolation("process")
    assert isolation.layers == ("limits", "landlock")
    folder = watch.submission("outlive_worker")
    grading = threading.Thread(
        target=grade_submission,
        args=(hw1_fast, folder),
        daemon=True,
        kwargs={"isolation": isolation},
    )
    grading.start()
    grading.join(HANG_LIMIT)
    hung = grading.is_alive()
    survivors = processes_marked(watch.marker)
    watch.close()  # kills the survivors, which lets the grading finish
    grading.join(HANG_LIMIT)
    assert not hung, f"grading hung; survivors {survivors}"
    assert survivors == []


# ---- helpers ---------------------------------------------------------------


def with_timeout(assignment, pid: str | None, seconds: float | None):
    """The assignment with the cases of problem `pid` (of all, for None)
    allowed `seconds` each; unchanged for seconds None."""
    if seconds is None:
        return assignment
    problems = tuple(
        dataclasses.replace(
            problem,
            cases=tuple(dataclasses.replace(c, timeout=seconds) for c in problem.cases),
        )
        if pid in (None, problem.id)
        else problem
        for problem in assignment.problems
    )
    return dataclasses.replace(assignment, problems=problems)


def verdicts(result) -> list:
    """Everything a grading decided: scores, and each case's verdict."""
    return [
        (p.id, p.score, [(c.name, c.passed, c.message) for c in p.cases])
        for p in result.problems
    ]


def assert_outcome(result, attacked: dict) -> None:
    """Attacked problems fail every case as stated; all others score full."""
    for problem in result.problems:
        fails = attacked.get(problem.id)
        if fails is None:
            first = next((c.message for c in problem.cases if not c.passed), "")
            assert problem.score == problem.max_score, (problem.id, first)
            continue
        assert problem.score == 0, problem.id
        for index, case in enumerate(problem.cases):
            assert not case.passed
            if fails.timeouts and index >= TIMEOUTS_PER_PROBLEM:
                assert case.message == (
                    f"not run: {TIMEOUTS_PER_PROBLEM} earlier cases of this "
                    "problem timed out"
                )
            elif case.hidden:
                assert case.message == (
                    f"{fails.summary} (hidden case: its inputs are not shown)"
                )
            else:
                assert case.message.startswith(f"{fails.summary}. {fails.detail}"), (
                    case.message
                )


def refused_read(isolation) -> Fails:
    """Inside bubblewrap the grader's files do not exist; elsewhere Landlock
    refuses them."""
    if isolation.tier == "bubblewrap":
        return Fails("exp_backward raised FileNotFoundError", "[Errno 2] No such file")
    return Fails("exp_backward raised PermissionError", "[Errno 13] Permission denied")


def public_cases(result, pid: str) -> list:
    problem = next(p for p in result.problems if p.id == pid)
    cases = [c for c in problem.cases if not c.hidden]
    assert cases
    return cases


def assert_never_shown(result, assignment, secrets: list[str]) -> None:
    """None of `secrets` in the results, the report or any case's text."""
    shown = json.dumps(results_dict(result), ensure_ascii=False)
    shown += render_report(result, assignment)
    for secret in secrets:
        assert secret not in shown


def secret_lines() -> list[str]:
    """Lines only the solutions and the hidden cases hold."""
    return [
        REFERENCE_SOURCE.splitlines()[0].strip('"'),
        "def _mean_cross_entropy_grad(",
        HIDDEN_CASES.read_text().splitlines()[0].lstrip("# "),
        "canary: a worker must never read this",
    ]


def grader_identity() -> list[str]:
    """The grader's command line, and its environment beyond a worker's own."""
    me = Path("/proc/self")
    command = me.joinpath("cmdline").read_bytes().replace(b"\0", b" ").decode()
    environment = me.joinpath("environ").read_bytes().decode(errors="replace")
    worker_env = {f"{k}={v}" for k, v in sandbox._minimal_env("/work").items()}
    entries = [e for e in environment.split("\0") if len(e) > 12]
    return [command.strip(), *(e for e in entries if e not in worker_env)]


def processes_marked(marker: str) -> list[int]:
    """Pids whose name, command line or environment holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        for part in ("comm", "cmdline", "environ"):
            try:
                if marker.encode() in (entry / part).read_bytes():
                    found.append(int(entry.name))
                    break
            except OSError:
                pass
    return found


def children_of_this_process() -> set[int]:
    children = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            children |= set(map(int, (task / "children").read_text().split()))
        except OSError:
            pass
    return children


def attack_constant(attack: str, name: str):
    """A literal defined at the top of an attack module, read without running it."""
    tree = ast.parse((ATTACKS / f"{attack}.py").read_text())
    assignment = next(
        node
        for node in tree.body
        if isinstance(node, ast.Assign) and node.targets[0].id == name
    )
    return ast.literal_eval(assignment.value)


def template_text() -> str:
    return (TEMPLATES / "report.html.j2").read_text()
