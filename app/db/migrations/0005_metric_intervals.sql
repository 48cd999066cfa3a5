-- The uncertainty a model's metrics were registered with, as intervals by metric name:
-- {"auc": {"lower": 0.88, "upper": 0.92, "stderr": 0.01}}. The point values stay in
-- evaluation_metrics, which every filter and sort reads. Only a model has any.

alter table artifacts add column metric_intervals jsonb not null default '{}'
    check (jsonb_typeof(metric_intervals) = 'object');

alter table artifacts add constraint artifacts_metric_intervals_models
    check (kind = 'model' or metric_intervals = '{}');
