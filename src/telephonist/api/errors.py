"""Errors in the public API's shape: ``errors[]`` with ``errorCode`` and ``message`` (and
the legacy top-level copies), the right status, and never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from telephonist.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
    TooManyAttempts,
)

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error raised directly by REST code (bad query parameter, unknown grant...)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def error_body(
    code: str, message: str, items: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The body every error carries; ``items`` default to the one error."""
    errors = items or [{"errorCode": code, "message": message}]
    return {"errorCode": code, "message": message, "errors": errors}


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    item = {"errorCode": code, "message": message, **extra}
    return JSONResponse(error_body(code, message, [item]), status_code=status)


def service_error_response(error: ServiceError) -> JSONResponse:
    """Map a service refusal to its status and code."""
    if isinstance(error, InvalidInput):
        items = [
            {"errorCode": "CMN-101", "message": problem.message, "parameterName": problem.field}
            for problem in error.problems
        ]
        status = 422 if error.unprocessable else 400
        return JSONResponse(error_body("CMN-101", error.message, items), status_code=status)
    if isinstance(error, NotFound):
        return error_response(404, "CMN-102", error.message, parameterName=error.parameter)
    if isinstance(error, Conflict):
        return error_response(409, "CMN-409", error.message, parameterName=error.field)
    if isinstance(error, PermissionDenied):
        return error_response(403, error.code, error.message)
    if isinstance(error, AuthenticationFailed):
        return error_response(401, error.code, error.message)
    if isinstance(error, TooManyAttempts):
        response = error_response(429, "CMN-301", error.message)
        response.headers["Retry-After"] = str(int(error.retry_after) + 1)
        return response
    return error_response(400, "CMN-101", error.message)


def _validation_items(error: RequestValidationError) -> list[dict[str, Any]]:
    items = []
    for problem in error.errors():
        location = [
            str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path")
        ]
        name = ".".join(location) or "body"
        if problem.get("type") == "missing":
            items.append(
                {
                    "errorCode": "CMN-100",
                    "message": f"Parameter [{name}] is missing or empty",
                    "parameterName": name,
                }
            )
        elif problem.get("type") == "json_invalid":
            items.append({"errorCode": "CMN-103", "message": "The request body is not valid JSON"})
        else:
            items.append(
                {
                    "errorCode": "CMN-101",
                    "message": f"Parameter [{name}] value is invalid: {problem.get('msg', '')}",
                    "parameterName": name,
                }
            )
    return items


def install(app: FastAPI) -> None:
    """Register the handlers that give every /restapi error the public shape."""

    @app.exception_handler(ApiError)
    async def on_api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.code, error.message, **error.extra)

    @app.exception_handler(ServiceError)
    async def on_service_error(_request: Request, error: ServiceError) -> JSONResponse:
        return service_error_response(error)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        items = _validation_items(error) or [{"errorCode": "CMN-101", "message": "Invalid request"}]
        first = items[0]
        return JSONResponse(
            error_body(first["errorCode"], first["message"], items), status_code=400
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, error: StarletteHTTPException) -> Any:
        if error.status_code == 404:
            path = request.scope.get("root_path", "") + request.url.path
            return error_response(404, "CMN-120", f"Resource for URI [{path}] is not found")
        if error.status_code == 405:
            return error_response(405, "CMN-105", f"Method {request.method} is not allowed here")
        return error_response(error.status_code, "CMN-101", str(error.detail))

    @app.exception_handler(IntegrityError)
    async def on_integrity_error(request: Request, error: IntegrityError) -> JSONResponse:
        log.info("conflict on %s %s: %s", request.method, request.url.path, error.orig)
        return error_response(409, "CMN-409", "The change conflicts with existing data")

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        return error_response(500, "CMN-201", "Service temporary unavailable")
