"""Offset paging shared by the list RPCs."""

import pytest

from runtime import paging
from runtime.errors import InvalidArgument


def test_tokens_round_trip_and_sizes_are_bounded():
    first = paging.window(0, "")
    assert (first.offset, first.size) == (0, paging.DEFAULT_PAGE)
    nxt = paging.window(500, paging.token(40))
    assert (nxt.offset, nxt.size) == (40, paging.MAX_PAGE)
    assert paging.window(10, "").next_token(11) == paging.token(10)
    assert paging.window(10, "").next_token(10) == ""


@pytest.mark.parametrize("size, token, field", [(-1, "", "page.page_size"), (10, "not-a-token", "page.page_token"),
                                                (10, "b zz", "page.page_token")])
def test_bad_pages_are_invalid_arguments(size, token, field):
    with pytest.raises(InvalidArgument) as err:
        paging.window(size, token)
    assert [v.field for v in err.value.violations] == [field]
