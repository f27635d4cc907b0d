"""Lambda runtimes: which identifiers exist, which AWS refuses, which support SnapStart.

The identifiers are the botocore model's ``Runtime`` enum (1.43.11), which keeps deprecated
runtimes. AWS refuses to create or update functions on a runtime some months after deprecating
it, with InvalidParameterValueException "The runtime parameter of nodejs14.x is no longer
supported for creating or updating AWS Lambda functions. We recommend you use the new runtime
(nodejs24.x) while creating or updating functions." (quoted in public reports for nodejs4.3,
6.10, 12.x and 14.x, python3.6, dotnetcore3.1). ``BLOCKED`` holds the runtimes deprecated before
2024 whose blocking is long past; the newest runtime of the family is the one recommended.

``DEPRECATED`` gives the deprecation dates AWS's runtimes page lists (as mirrored by
tflint-ruleset-aws, late 2025). Runtimes deprecated since then are still accepted here (traced
as deprecated): AWS blocks create and update at later dates that awskit does not track.

An identifier outside the enum: InvalidParameterValueException "Value x at 'runtime' failed to
satisfy constraint: Member must satisfy enum value set: [...] or be a valid ARN" (the wording AWS
answers for the runtime parameter).

SnapStart (facts A11): Java 11+, Python 3.12+, .NET 8+; "python3.9 is not supported for SnapStart
enabled functions." otherwise (AWS's wording, InvalidParameterValueException).
"""

from __future__ import annotations

from datetime import date

from ..service import service_model
from . import exceptions as errors

BLOCKED = frozenset({
    "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x",
    "nodejs12.x", "nodejs14.x", "python2.7", "python3.6", "python3.7", "ruby2.5", "ruby2.7",
    "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "java8", "go1.x",
    "provided"})

DEPRECATED = {
    "nodejs16.x": date(2024, 6, 12), "nodejs18.x": date(2025, 9, 1),
    "python3.8": date(2024, 10, 14), "python3.9": date(2025, 12, 15),
    "dotnet6": date(2024, 11, 12), "ruby3.2": date(2026, 3, 31),
    "nodejs20.x": date(2026, 4, 30), "python3.10": date(2026, 6, 30),
    "python3.11": date(2026, 6, 30), "java8.al2": date(2026, 6, 30), "java11": date(2026, 6, 30),
    "java17": date(2026, 6, 30), "provided.al2": date(2026, 6, 30), "dotnet8": date(2026, 11, 10),
}

SNAPSTART = frozenset({"java11", "java17", "java21", "java25", "python3.12", "python3.13",
                       "python3.14", "dotnet8", "dotnet10"})

#: family -> the runtime AWS recommends moving to
NEWEST = {"nodejs": "nodejs24.x", "python": "python3.14", "java": "java25", "dotnet": "dotnet10",
          "ruby": "ruby4.0", "go": "provided.al2023", "provided": "provided.al2023"}


def all_runtimes() -> list[str]:
    return list(service_model("lambda").shape_for("Runtime").enum)


def family(runtime: str) -> str:
    for name in ("nodejs", "python", "java", "dotnet", "ruby", "go", "provided"):
        if runtime.startswith(name):
            return name
    return runtime


def check_runtime(runtime: str) -> None:
    """Refuse an unknown runtime or one AWS no longer lets functions use."""
    known = all_runtimes()
    if runtime not in known:
        allowed = ", ".join(r for r in known if r not in BLOCKED)
        raise errors.InvalidParameterValueException(
            f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy "
            f"enum value set: [{allowed}] or be a valid ARN")
    if runtime in BLOCKED:
        raise errors.InvalidParameterValueException(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating "
            f"AWS Lambda functions. We recommend you use the new runtime "
            f"({NEWEST[family(runtime)]}) while creating or updating functions.")


def deprecated_since(runtime: str, today: date) -> date | None:
    """The deprecation date of a runtime deprecated on or before ``today``, else None."""
    when = DEPRECATED.get(runtime)
    return when if when is not None and when <= today else None


def check_snapstart(apply_on: str, runtime: str | None, ephemeral_storage: int) -> None:
    """SnapStart's runtime rule and its incompatibility with ephemeral storage above 512 MB
    (facts A11). The wording for the storage rule is awskit's (AWS's is unconfirmed)."""
    if apply_on != "PublishedVersions":
        return
    if runtime not in SNAPSTART:
        raise errors.InvalidParameterValueException(
            f"{runtime} is not supported for SnapStart enabled functions.")
    if ephemeral_storage > 512:
        raise errors.InvalidParameterValueException(
            "SnapStart is not supported for functions with ephemeral storage greater than 512 MB.")
