"""The store's own item codec gives exactly what boto3's TypeSerializer and
TypeDeserializer give (it only skips their generic type tests, for speed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.adapters.dynamodb import _attr, _plain, _value

SCALARS = (
    st.text()
    | st.booleans()
    | st.none()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.binary(max_size=4)
    | st.frozensets(st.text(min_size=1), min_size=1, max_size=3).map(set)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


def _outcome(function: Any, value: Any) -> Any:
    try:
        return function(value)
    except Exception as error:  # the same refusal counts as the same answer
        return type(error)


@given(VALUES)
def test_serializing_matches_boto3(value: Any) -> None:
    assert _outcome(_attr, value) == _outcome(TypeSerializer().serialize, value)


@given(VALUES)
def test_deserializing_matches_boto3(value: Any) -> None:
    try:
        attr = TypeSerializer().serialize(value)
    except Exception:
        return
    mine, theirs = _value(attr), TypeDeserializer().deserialize(attr)
    assert mine == theirs
    assert repr(mine) == repr(theirs)  # Decimal stays Decimal, nothing becomes int


def test_a_stored_item_reads_back_as_boto3_reads_it() -> None:
    item = {"pk": {"S": "REQ#1"}, "version": {"N": "3"}, "ok": {"BOOL": True}, "none": {"NULL": True}}
    assert _plain(item) == {"pk": "REQ#1", "version": Decimal(3), "ok": True, "none": None}
