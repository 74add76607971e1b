"""Lists in the public API's shape: ``uri``, ``records``, ``paging``, ``navigation``."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request

from telephonist.api.errors import ApiError
from telephonist.store.paging import PageOf

PER_PAGE_DEFAULT = 100
PER_PAGE_MAX = 1000


class PageRequest:
    """``page`` (1-based) and ``perPage`` (1-1000 or ``max``) from the query string."""

    def __init__(
        self,
        page: str = Query("1"),
        per_page: str = Query(str(PER_PAGE_DEFAULT), alias="perPage"),
    ) -> None:
        try:
            self.page = int(page)
        except ValueError as error:
            raise ApiError(
                400, "CMN-101", "Parameter [page] value is invalid", parameterName="page"
            ) from error
        if per_page == "max":
            self.per_page = PER_PAGE_MAX
        else:
            try:
                self.per_page = int(per_page)
            except ValueError as error:
                raise ApiError(
                    400, "CMN-101", "Parameter [perPage] value is invalid", parameterName="perPage"
                ) from error
        if self.page < 1:
            raise ApiError(
                400, "CMN-101", "Parameter [page] must be 1 or more", parameterName="page"
            )
        if not 1 <= self.per_page <= PER_PAGE_MAX:
            raise ApiError(
                400,
                "CMN-101",
                "Parameter [perPage] must be between 1 and 1000",
                parameterName="perPage",
            )


PageDep = Annotated[PageRequest, Depends()]


def absolute_uri(request: Request, path: str, query: dict[str, Any] | None = None) -> str:
    """``path`` (starting at /restapi) on the host the client used."""
    base = f"{request.url.scheme}://{request.url.netloc}"
    return base + path + (f"?{urlencode(query, doseq=True)}" if query else "")


def list_body(
    request: Request,
    path: str,
    records: list[dict[str, Any]],
    page: PageOf[Any],
    query: dict[str, Any],
) -> dict[str, Any]:
    """A paged list; navigation links keep the client's filters."""

    def link(number: int) -> dict[str, str]:
        return {
            "uri": absolute_uri(request, path, {**query, "page": number, "perPage": page.per_page})
        }

    navigation = {"firstPage": link(1), "lastPage": link(page.total_pages)}
    if page.page > 1:
        navigation["previousPage"] = link(min(page.page - 1, page.total_pages))
    if page.page < page.total_pages:
        navigation["nextPage"] = link(page.page + 1)
    paging: dict[str, Any] = {
        "page": page.page,
        "totalPages": page.total_pages,
        "perPage": page.per_page,
        "totalElements": page.total,
    }
    if records:
        paging["pageStart"] = page.start_index
        paging["pageEnd"] = page.start_index + len(records) - 1
    return {
        "uri": absolute_uri(request, path, {**query, "page": page.page, "perPage": page.per_page}),
        "records": records,
        "paging": paging,
        "navigation": navigation,
    }
