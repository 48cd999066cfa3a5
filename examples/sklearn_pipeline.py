"""Train three scikit-learn regressors on the diabetes data and register the run.

    python examples/sklearn_pipeline.py --url http://127.0.0.1:8000 --token mreg_...

(or MODEL_REGISTRY_URL and MODEL_REGISTRY_TOKEN). It fits ridge regression, a random forest
and gradient boosting on ``sklearn.datasets.load_diabetes`` (shipped with scikit-learn, so
nothing is downloaded), scores them on a held-out quarter, and registers the dataset version
with its content digest, the hypothesis, the analysis pinned to that dataset version, and the
three models with their metrics and provenance. It prints the compare page's URL on stdout
(progress goes to stderr). Every run registers new versions; the numbers are the same each
time (fixed random_state).

Training is shared; how the run reaches the registry is one function per ``--mode``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import sklearn
from model_registry_client import (
    AnalysisInput,
    DatasetInput,
    HypothesisInput,
    ModelInput,
    Registry,
)
from sklearn.base import RegressorMixin
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

RANDOM_STATE = 0
TEST_SIZE = 0.25
DATASET = "dataset-sklearn-diabetes"
HYPOTHESIS = "hypothesis-diabetes-tree-ensembles"
ANALYSIS = "analysis-diabetes-regression"
# What the digest covers: the arrays as load_diabetes returns them, in this layout.
DIGEST_OF = "X (442 x 10) then y (442), little-endian float64, row-major"
DIRECTIONS = {"rmse": "lower", "mae": "lower", "r2": "higher"}


HYPOTHESIS_INPUT = HypothesisInput(
    HYPOTHESIS,
    "Tree ensembles predict diabetes progression better than a linear model",
    "Nonlinear interactions between BMI, blood pressure and serum measurements "
    "carry signal a ridge regression cannot use.",
)


@dataclass(frozen=True)
class TrainedModel:
    lineage_id: str
    title: str
    architecture: str
    parameter_count: int
    training_config: dict[str, Any]
    metrics: dict[str, float]

    @property
    def raw_quality_score(self) -> float:
        """R² on the held-out split, clipped to [0, 1]."""
        return min(1.0, max(0.0, self.metrics["r2"]))


@dataclass(frozen=True)
class Run:
    digest: str
    size_bytes: int
    rows: int
    features: list[str]
    split: dict[str, Any]
    models: list[TrainedModel]


def content_digest(x: np.ndarray, y: np.ndarray) -> tuple[str, int]:
    """The registry's ``sha256:<hex>`` of the data bytes, and how many bytes that is."""
    data = (
        np.ascontiguousarray(x, dtype="<f8").tobytes()
        + np.ascontiguousarray(y, dtype="<f8").tobytes()
    )
    return "sha256:" + hashlib.sha256(data).hexdigest(), len(data)


def parameter_count(estimator: Any) -> int:
    """Fitted parameters: coefficients and intercept, or the nodes of every tree."""
    if hasattr(estimator, "coef_"):
        return int(np.size(estimator.coef_)) + int(np.size(estimator.intercept_))
    trees = np.ravel(estimator.estimators_)
    return int(sum(tree.tree_.node_count for tree in trees))


def json_params(estimator: Any) -> dict[str, Any]:
    """The estimator's constructor parameters that JSON can hold."""
    return {
        k: v
        for k, v in sorted(estimator.get_params().items())
        if v is None or isinstance(v, (bool, int, float, str))
    }


def estimators() -> list[tuple[str, str, RegressorMixin]]:
    return [
        ("model-diabetes-ridge", "Ridge regression", Ridge(alpha=1.0)),
        (
            "model-diabetes-random-forest",
            "Random forest",
            RandomForestRegressor(n_estimators=100, random_state=RANDOM_STATE, n_jobs=1),
        ),
        (
            "model-diabetes-gradient-boosting",
            "Gradient boosting",
            GradientBoostingRegressor(random_state=RANDOM_STATE),
        ),
    ]


def train() -> Run:
    """Fit the three models and score them on the held-out split."""
    data = load_diabetes()
    x, y = data.data, data.target
    digest, size = content_digest(x, y)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_SIZE, random_state=RANDOM_STATE
    )
    models = []
    for lineage_id, title, estimator in estimators():
        estimator.fit(x_train, y_train)
        predicted = estimator.predict(x_test)
        metrics = {
            "rmse": float(np.sqrt(mean_squared_error(y_test, predicted))),
            "r2": float(r2_score(y_test, predicted)),
            "mae": float(mean_absolute_error(y_test, predicted)),
        }
        models.append(
            TrainedModel(
                lineage_id,
                title,
                type(estimator).__name__,
                parameter_count(estimator),
                json_params(estimator),
                metrics,
            )
        )
    split = {
        "test_size": TEST_SIZE,
        "random_state": RANDOM_STATE,
        "train_rows": len(y_train),
        "test_rows": len(y_test),
    }
    return Run(digest, size, len(y), list(data.feature_names), split, models)


def send_with_client(run: Run, url: str | None, token: str | None) -> list[str]:
    """Register the run through the Python client; the model version ids, in order."""
    with Registry(url, token) as registry:
        dataset = registry.register_dataset(
            DatasetInput(
                DATASET,
                "Diabetes progression (scikit-learn)",
                "442 patients: age, sex, BMI, blood pressure and six serum measurements, "
                "with disease progression one year after baseline.",
                metadata={
                    "source": "sklearn.datasets.load_diabetes",
                    "rows": run.rows,
                    "features": run.features,
                    "digest_of": DIGEST_OF,
                    "scikit_learn": sklearn.__version__,
                },
                digest=run.digest,
                size_bytes=run.size_bytes,
            )
        )
        say(f"dataset {dataset['id']} {run.digest}")
        hypothesis = registry.register_hypothesis(HYPOTHESIS_INPUT)
        analysis = registry.register_analysis(
            AnalysisInput(
                ANALYSIS,
                "Diabetes progression: ridge against tree ensembles",
                metadata={**run.split, "scikit_learn": sklearn.__version__},
                inputs=[dataset["id"]],  # a version id: the input is pinned
                addresses=[hypothesis["id"]],
            )
        )
        say(f"analysis {analysis['id']} addresses {hypothesis['id']}")
        ids = []
        for trained in run.models:
            model = registry.register_model(
                ModelInput(
                    trained.lineage_id,
                    trained.title,
                    family="statistical",
                    raw_quality_score=trained.raw_quality_score,
                    architecture=trained.architecture,
                    parameter_count=trained.parameter_count,
                    training_config=trained.training_config,
                    evaluation_metrics=trained.metrics,
                    metric_directions=DIRECTIONS,
                    trained_on=[dataset["id"]],
                    produced_by=analysis["id"],
                    tests_hypotheses=[hypothesis["id"]],
                )
            )
            metrics = " ".join(f"{k}={v:.4f}" for k, v in trained.metrics.items())
            say(f"model {model['id']} {metrics} quality {model['qualityScore']:.3f}")
            ids.append(model["id"])
        return ids


# The run as OpenLineage names it: a job, its input and one output per model.
JOB = ("examples", "sklearn-diabetes-regression")
INPUT = ("sklearn", "load_diabetes")
OUTPUTS = "models"
FACETS = "/api/v1/lineage/facets/1-0-0/"


def send_as_openlineage(run: Run, url: str | None, token: str | None) -> list[str]:
    """Send the same run as OpenLineage events through openlineage-python's HTTP transport:
    START with the input (its digest as the dataset version, so the analysis pins it) and
    COMPLETE with one output per model, each carrying the registry's model facet. The
    hypothesis, which OpenLineage has no word for, is registered through the client first."""
    import attr
    from openlineage.client import OpenLineageClient
    from openlineage.client.event_v2 import (
        InputDataset,
        Job,
        OutputDataset,
        RunEvent,
        RunState,
    )
    from openlineage.client.event_v2 import Run as OpenLineageRun
    from openlineage.client.facet_v2 import DatasetFacet, JobFacet, dataset_version_dataset
    from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

    with Registry(url, token) as registry:
        schemas = registry.url + FACETS

        # Custom facets, defined as OpenLineage's custom-facet rules ask.
        @attr.define
        class ModelFacet(DatasetFacet):
            family: str
            rawQualityScore: float
            title: str
            architecture: str
            parameterCount: int
            trainingConfig: dict[str, Any]
            metrics: dict[str, float]
            metricDirections: dict[str, str]
            hypotheses: list[str]

            @staticmethod
            def _get_schema() -> str:
                name = "ModelRegistryModelDatasetFacet"
                return f"{schemas}{name}.json#/$defs/{name}"

        @attr.define
        class HypothesesFacet(JobFacet):
            hypotheses: list[str]

            @staticmethod
            def _get_schema() -> str:
                name = "ModelRegistryHypothesesJobFacet"
                return f"{schemas}{name}.json#/$defs/{name}"

        hypothesis = registry.register_hypothesis(HYPOTHESIS_INPUT)["id"]
        job = Job(
            namespace=JOB[0],
            name=JOB[1],
            facets={"modelRegistry_hypotheses": HypothesesFacet(hypotheses=[hypothesis])},
        )
        version = dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=run.digest)
        inputs = [InputDataset(namespace=INPUT[0], name=INPUT[1], facets={"version": version})]
        outputs = [
            OutputDataset(
                namespace=OUTPUTS,
                name=trained.lineage_id,
                facets={
                    "modelRegistry_model": ModelFacet(
                        family="statistical",
                        rawQualityScore=trained.raw_quality_score,
                        title=trained.title,
                        architecture=trained.architecture,
                        parameterCount=trained.parameter_count,
                        trainingConfig=trained.training_config,
                        metrics=trained.metrics,
                        metricDirections=DIRECTIONS,
                        hypotheses=[hypothesis],
                    )
                },
            )
            for trained in run.models
        ]
        config = HttpConfig(
            url=registry.url,
            endpoint="api/v1/lineage",
            auth=ApiKeyTokenProvider({"apiKey": registry.token or ""}),
        )
        emitter = OpenLineageClient(transport=HttpTransport(config))
        run_id = str(uuid.uuid4())
        started = datetime.now(UTC)
        for state, at, outs in (
            (RunState.START, started, []),
            (RunState.COMPLETE, started + timedelta(seconds=1), outputs),
        ):
            emitter.emit(
                RunEvent(
                    eventType=state,
                    eventTime=at.isoformat(),
                    run=OpenLineageRun(runId=run_id),
                    job=job,
                    producer=PRODUCER,
                    inputs=inputs,
                    outputs=outs,
                )
            )
            say(f"sent {state.value} of run {run_id}")
        recorded = registry.lineage_run(run_id)
        if recorded is None or recorded["analysis"] is None:
            raise SystemExit(f"run {run_id} did not become an analysis version")
        analysis = recorded["analysis"]
        say(f"analysis {analysis['id']} from run {run_id} ({recorded['state']})")
        return [m["id"] for m in analysis["producedModels"]]


PRODUCER = "https://example.org/model-registry/examples/sklearn_pipeline.py"


# How a run reaches the registry, by --mode.
SENDERS: dict[str, Callable[[Run, str | None, str | None], list[str]]] = {
    "client": send_with_client,
    "openlineage": send_as_openlineage,
}


def say(line: str) -> None:
    print(line, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="the registry (default: $MODEL_REGISTRY_URL)")
    parser.add_argument(
        "--token", help="a token with the write scope (default: $MODEL_REGISTRY_TOKEN)"
    )
    parser.add_argument("--mode", choices=sorted(SENDERS), default="client")
    args = parser.parse_args(argv)
    run = train()
    ids = SENDERS[args.mode](run, args.url, args.token)
    with Registry(args.url, args.token) as registry:
        print(registry.compare_url(ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
