"""A client for the model registry: typed methods over its GraphQL API, with safe retries."""

from model_registry_client.errors import RegistryError
from model_registry_client.inputs import (
    AnalysisInput,
    DatasetInput,
    GateMetric,
    HypothesisInput,
    Link,
    ModelInput,
    Sort,
)
from model_registry_client.registry import TOKEN_ENV, URL_ENV, Registry

__all__ = [
    "TOKEN_ENV",
    "URL_ENV",
    "AnalysisInput",
    "DatasetInput",
    "GateMetric",
    "HypothesisInput",
    "Link",
    "ModelInput",
    "Registry",
    "RegistryError",
    "Sort",
]
