import pytest
from conftest import MUTANTS, REFERENCE

from grader.mutants import load_mutants, materialise


def test_catalogue_declares_what_each_variant_must_fail_and_its_diagnosis():
    failing = [m for m in MUTANTS.values() if m.must_fail]
    assert len(MUTANTS) >= 30 and len(failing) >= 30
    assert all(m.summary and m.summary != m.name for m in MUTANTS.values())
    assert all(set(m.diagnosis) == set(m.must_fail) for m in MUTANTS.values())
    assert {
        "relu_one_at_zero",
        "float32_results",
        "list_not_tuple",
        "einsum_matmul",
    } <= {n for n, m in MUTANTS.items() if not m.must_fail}


def test_the_catalogue_covers_many_kinds_of_mistake():
    primary = {k[0] for m in MUTANTS.values() for k in m.diagnosis.values() if k}
    assert len(primary) >= 18
    assert MUTANTS["power_grad_as_base"].diagnosis["power_scalar"][0] == (
        "not_linear_in_g"
    )
    assert MUTANTS["two_layer_forgets_relu_mask"].diagnosis == {"two_layer": ()}


@pytest.mark.parametrize(
    "declared, message",
    [
        ("{}", "must map each problem in MUST_FAIL"),
        ('{"exp": "typo_kind"}', "unknown kind"),
        ('{"exp": "transpose", "log": "sign_flip"}', "must map each problem"),
    ],
)
def test_a_wrong_diagnosis_declaration_is_refused(tmp_path, declared, message):
    (tmp_path / "bad.py").write_text(
        f'"""A variant."""\nMUST_FAIL = ["exp"]\nDIAGNOSIS = {declared}\n'
    )
    with pytest.raises(ValueError, match=message):
        load_mutants(tmp_path)


def test_variants_are_read_not_imported(tmp_path):
    marker = tmp_path / "imported"
    (tmp_path / "trap.py").write_text(
        '"""Would write a file if imported."""\nMUST_FAIL = ["exp"]\n'
        'DIAGNOSIS = {"exp": "ignores_out_grad"}\n'
        f'open({str(marker)!r}, "w")\n'
    )
    (mutant,) = load_mutants(tmp_path)
    assert mutant.must_fail == ("exp",)
    assert mutant.diagnosis == {"exp": ("ignores_out_grad",)}
    assert not marker.exists()
    assert mutant.summary == "Would write a file if imported."


def test_a_variant_without_must_fail_is_refused(tmp_path):
    (tmp_path / "bad.py").write_text("def f(): pass\n")
    with pytest.raises(ValueError, match="no MUST_FAIL"):
        load_mutants(tmp_path)


def test_materialised_variant_overrides_only_its_functions(tmp_path):
    module = materialise(
        MUTANTS["exp_ignores_out_grad"], REFERENCE / "ops.py", tmp_path
    )
    namespace: dict = {}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    import numpy as np

    a, g = np.ones(2), np.full(2, 3.0)
    np.testing.assert_allclose(namespace["exp_backward"](g, a), np.exp(a))
    np.testing.assert_allclose(namespace["log_backward"](g, a), g / a)
