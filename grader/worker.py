"""Worker process: import the student's module and run the calls asked of it.

Started by the grader as `python -I worker.py MODULE_PATH CONFIG`, inside
its private folder and isolation tier. It confines itself (`confine`, with
the JSON CONFIG) before it imports the student's module. It speaks the
data-only protocol of `wire` over its original stdin and stdout; everything
the student prints (Python or C level) lands on stderr, which the grader
keeps, capped, as feedback. It decides nothing: the grader judges every
answer with its own NumPy.
"""

import importlib.util
import json
import os
import sys
import traceback


def main() -> None:
    proto_in, proto_out = _claim_protocol_streams()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import confine
    import numpy  # noqa: F401 - loaded before confinement narrows the filesystem
    import wire

    del sys.path[0]

    def send(header, arrays=()):
        message = wire.encode(header, list(arrays))
        _end_output(wire.OUTPUT_MARK)
        proto_out.write(message)
        proto_out.flush()

    module_path = sys.argv[1]
    config = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    layers = confine.confine(config)
    module, error = _import_student(module_path)
    if error is not None:
        send({"status": "import_error", "error": error})
        return
    send({"status": "ready", "layers": layers})

    while True:
        try:
            request, arrays = wire.read_message(proto_in.read)
        except EOFError:
            return
        header, outputs = _serve(module, module_path, request, arrays)
        send({**header, "call": request.get("call")}, outputs)


def _claim_protocol_streams():
    """Keep stdin/stdout for the protocol and point the student's at stderr."""
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr
    return proto_in, proto_out


def _end_output(mark: bytes) -> None:
    """Flush what the student printed, then mark where this call's output ends."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - a student may have replaced it
            pass
    os.write(2, mark)


def _import_student(path: str):
    name = os.path.splitext(os.path.basename(path))[0]
    if name in sys.modules:  # a student file called numpy.py must not replace it
        name = f"_submission_{name}"
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - a student's failure is data
        return None, _describe_error(exc, path)
    return module, None


def _serve(module, module_path: str, request: dict, arrays: list):
    import numpy as np

    args = [
        arrays[arg["array"]] if "array" in arg else _param(arg["value"])
        for arg in request["args"]
    ]
    array_args = [arg for arg in args if isinstance(arg, np.ndarray)]
    function = getattr(module, request["function"], None)
    if not callable(function):
        return {"status": "missing"}, []
    try:
        result = function(*args)
    except BaseException as exc:  # noqa: BLE001 - a student's failure is data
        return {"status": "error", "error": _describe_error(exc, module_path)}, []

    try:
        described, outputs = _describe_result(result, request["n_outputs"])
    except BaseException as exc:  # noqa: BLE001 - a hostile return value
        what = {"kind": "bad", "what": f"unreadable ({exc!r:.200})"}
        described, outputs = {"kind": "single", "item": what}, []
    header = {"status": "ok", "result": described, "n_after": len(array_args)}
    return header, outputs + [np.asarray(arg) for arg in array_args]


def _param(value):
    """Parameters arrive as JSON; shapes and axes are tuples in NumPy's sense."""
    return tuple(value) if isinstance(value, list) else value


def _describe_result(result, n_outputs: int):
    """Turn what the student returned into plain arrays and a description."""
    if n_outputs == 1 and isinstance(result, (tuple, list)) and len(result) == 1:
        result = result[0]
    if n_outputs > 1 or isinstance(result, tuple):
        if not isinstance(result, (tuple, list)):
            return {"kind": "single", "item": _describe_item(result, [])}, []
        outputs: list = []
        items = [_describe_item(item, outputs) for item in result]
        return {"kind": "tuple", "items": items}, outputs
    outputs = []
    return {"kind": "single", "item": _describe_item(result, outputs)}, outputs


def _describe_item(item, outputs: list) -> dict:
    import numpy as np

    if item is None:
        return {"kind": "none"}
    if not isinstance(item, (np.ndarray, np.generic, int, float, bool, list, tuple)):
        return {"kind": "bad", "what": f"an object of type {type(item).__name__}"}
    array = np.array(item, copy=True, subok=False)
    if array.dtype.kind not in "biuf":
        return {"kind": "bad", "what": f"an array of dtype {array.dtype}"}
    if array.dtype.itemsize > 8:
        array = array.astype(np.float64)
    outputs.append(array)
    return {"kind": "array", "index": len(outputs) - 1}


def _describe_error(exc: BaseException, student_path: str) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if os.path.abspath(f.filename) == student_path]
    lines = [
        f"{os.path.basename(f.filename)}, line {f.lineno}, in {f.name}: {f.line}"
        for f in own
    ]
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:2000],
        "traceback": lines[-20:],
        "line": own[-1].lineno if own else None,
        "file": os.path.basename(student_path),
    }


if __name__ == "__main__":
    main()
