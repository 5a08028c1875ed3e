"""DESIGN §3: the field-level three-way merge rule, shared by the server (push) and the client."""

from hypothesis import assume, given, strategies as st

from workbench.domain.merge import FieldMerge, conflicting_fields, merge_field


def test_the_three_outcomes():
    assert merge_field(base="a", mine="b", theirs="b") is FieldMerge.AGREE
    assert merge_field(base="a", mine="b", theirs="a") is FieldMerge.MINE
    assert merge_field(base="a", mine="b", theirs="c") is FieldMerge.CONFLICT
    assert merge_field(base=None, mine="x", theirs=None) is FieldMerge.MINE  # a field set first here


def test_edits_of_different_fields_never_conflict():
    server = {"notes": "vendor's note", "industry": "Energy"}
    edits = {"industry": ("Energy", "Utilities")}  # the rep changed another field than the vendor
    assert conflicting_fields(server, edits) == {}
    both = {"notes": ("old note", "my note")}
    assert conflicting_fields(server, both) == {"notes": "vendor's note"}


values = st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["a", "b"]))


@given(values, values, values)
def test_a_conflict_is_exactly_both_sides_changing_the_field_differently(base, mine, theirs):
    """An edit carries only fields the rep changed (mine != base); then the vendor's value
    decides: unchanged → mine applies, the same → agreed, anything else → a stored conflict.
    Swapping the sides gives the same answer, so server and client agree on a conflict."""
    assume(mine != base)
    conflict = merge_field(base, mine, theirs) is FieldMerge.CONFLICT
    assert conflict == (theirs != base and theirs != mine)
    if theirs != base:
        assert conflict == (merge_field(base, theirs, mine) is FieldMerge.CONFLICT)
