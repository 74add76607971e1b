"""Enumerated paging of a query, as the public API pages lists (page is 1-based)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class PageOf(Generic[T]):
    """One page of rows and the numbers a client needs to walk the others."""

    rows: Sequence[T]
    page: int
    per_page: int
    total: int

    @classmethod
    def of_list(cls, items: Sequence[T], page: int, per_page: int) -> PageOf[T]:
        """Page a list already in memory (short lists such as one user's devices)."""
        start = (page - 1) * per_page
        return cls(
            rows=items[start : start + per_page], page=page, per_page=per_page, total=len(items)
        )

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page


def paginate(session: Session, query: Select[Any], page: int, per_page: int) -> PageOf[Any]:
    """Run ``query`` for one page; rows are the query's first entity."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return PageOf(rows=rows, page=page, per_page=per_page, total=total or 0)
